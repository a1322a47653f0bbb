/**
 * `bitbucketdc_project_webhook` and the `bitbucketdc_repositories` data source driven by the real
 * terraform 1.11 binary against the emulator, in one working directory: the data source fans a
 * repository webhook out to every repository of a project, next to one project webhook whose whole
 * life (create, empty plan, import, update, drift, out-of-band delete, replace, destroy) runs here.
 */
import type { RunningEmulator } from '../../../src/emulator';
import { expectSuccess } from '../../helpers/terraform';
import { bitbucketProviderBlock, WebhookSandbox } from './webhook-sandbox';

jest.setTimeout(240_000);

const secret = 'project-hook-secret-91x';

function config(emulator: RunningEmulator, project: { key?: string; events?: string[] } = {}): string {
  return `${bitbucketProviderBlock(emulator)}
resource "bitbucketdc_project_webhook" "all" {
  project_key = ${JSON.stringify(project.key ?? 'PLAT')}
  name        = "liftgate-project"
  url         = "https://ci.example.com/hooks/project"
  events      = ${JSON.stringify(project.events ?? ['repo:refs_changed', 'pr:opened'])}
  secret      = ${JSON.stringify(secret)}
}

data "bitbucketdc_repositories" "apps" {
  project_key = "APPS"
}

resource "bitbucketdc_repository_webhook" "each" {
  for_each        = toset(data.bitbucketdc_repositories.apps.slugs)
  project_key     = "APPS"
  repository_slug = each.value
  name            = "deploy"
  url             = "https://deploy.example.com/\${each.value}"
  events          = ["repo:refs_changed"]
}

output "slugs" {
  value = data.bitbucketdc_repositories.apps.slugs
}

output "names" {
  value = [for repository in data.bitbucketdc_repositories.apps.repositories : repository.name]
}

output "ids" {
  value = [for repository in data.bitbucketdc_repositories.apps.repositories : repository.id]
}
`;
}

describe('bitbucketdc_project_webhook and bitbucketdc_repositories with real terraform', () => {
  let fixture: WebhookSandbox;
  const run = (args: string[]) => fixture.run(args);
  const apply = () => fixture.apply();
  const plan = () => fixture.plan();
  const showProjectWebhook = () => fixture.show('bitbucketdc_project_webhook.all');
  const onlyProjectHook = (key = 'PLAT') => {
    const list = fixture.bitbucket.projectWebhooks(key);
    expect(list).toHaveLength(1);
    return list[0];
  };

  beforeAll(async () => {
    fixture = await WebhookSandbox.start(
      'bitbucketdc-project-webhook',
      (bitbucket) => {
        bitbucket.createProject('PLAT');
        bitbucket.createProject('OPS');
        bitbucket.createProject('APPS');
        for (const name of ['web', 'billing', 'auth']) bitbucket.createRepository('APPS', name, { description: `the ${name} service` });
      },
      (bitbucket) => config(bitbucket),
    );
  });

  afterAll(() => fixture?.close());

  test('create: the project webhook and one webhook per listed repository; a second plan is empty', async () => {
    await apply();
    expect(onlyProjectHook()).toMatchObject({ name: 'liftgate-project', url: 'https://ci.example.com/hooks/project', active: true, configuration: { secret } });
    for (const slug of ['web', 'billing', 'auth']) {
      expect(fixture.bitbucket.repositoryWebhooks('APPS', slug)).toEqual([expect.objectContaining({ name: 'deploy', url: `https://deploy.example.com/${slug}` })]);
    }
    const result = await run(['output', '-json']);
    const output = JSON.parse(result.stdout) as Record<string, { value: unknown }>;
    expect([...(output.slugs.value as string[])].sort()).toEqual(['auth', 'billing', 'web']);
    // `repositories` is in the same order as `slugs`.
    expect(output.names.value).toEqual(output.slugs.value);
    expect((output.ids.value as number[]).every((id) => Number.isInteger(id))).toBe(true);
    expect((await plan()).code).toBe(0);
  });

  test('import into an empty state gives identical attributes', async () => {
    const before = await showProjectWebhook();
    expectSuccess(await run(['state', 'rm', 'bitbucketdc_project_webhook.all']));
    expectSuccess(await run(['import', '-input=false', 'bitbucketdc_project_webhook.all', `PLAT/${onlyProjectHook().id}`]));
    const after = await showProjectWebhook();
    expect(after.values).toEqual(before.values);
    expect(after.sensitive_values).toEqual(before.sensitive_values);
    expect((await plan()).code).toBe(0);
  });

  test('in-place update of events', async () => {
    const id = onlyProjectHook().id;
    fixture.sandbox.writeConfig(config(fixture.bitbucket, { events: ['repo:refs_changed', 'pr:merged'] }));
    await apply();
    expect(onlyProjectHook()).toMatchObject({ id, configuration: { secret } });
    expect([...onlyProjectHook().events].sort()).toEqual(['pr:merged', 'repo:refs_changed']);
  });

  test('drift: a project webhook deactivated in Bitbucket shows as exactly that change; apply restores it', async () => {
    const hook = await fixture.admin.projectWebhooks.get('PLAT', onlyProjectHook().id);
    await fixture.admin.projectWebhooks.update('PLAT', hook.id, { name: hook.name, url: hook.url, events: hook.events, active: false, configuration: hook.configuration });
    const result = await plan();
    expect(result.code).toBe(2);
    const changed = result.stdout
      .split('\n')
      .map((line) => line.trim().replace(/ +/g, ' '))
      .filter((line) => /^~ [a-z_]+ =/.test(line));
    expect(changed).toEqual(['~ active = false -> true']);
    expect(result.stdout).toMatch(/bitbucketdc_project_webhook\.all will be updated in-place/);
    await apply();
    expect(onlyProjectHook().active).toBe(true);
  });

  test('deleted in Bitbucket: planned for creation', async () => {
    await fixture.admin.projectWebhooks.delete('PLAT', onlyProjectHook().id);
    const result = await plan();
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/bitbucketdc_project_webhook\.all will be created/);
    await apply();
    expect(onlyProjectHook().name).toBe('liftgate-project');
  });

  test('changing project_key replaces the webhook', async () => {
    fixture.sandbox.writeConfig(config(fixture.bitbucket, { key: 'OPS', events: ['repo:refs_changed', 'pr:merged'] }));
    const result = await plan();
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/project_key += "PLAT" -> "OPS" # forces replacement/);
    await apply();
    expect(fixture.bitbucket.projectWebhooks('PLAT')).toHaveLength(0);
    expect(onlyProjectHook('OPS')).toMatchObject({ name: 'liftgate-project', configuration: { secret } });
  });

  test('destroy removes every webhook from Bitbucket', async () => {
    expectSuccess(await run(['destroy', '-auto-approve', '-input=false']));
    expect(fixture.bitbucket.projectWebhooks('OPS')).toHaveLength(0);
    for (const slug of ['web', 'billing', 'auth']) expect(fixture.bitbucket.repositoryWebhooks('APPS', slug)).toHaveLength(0);
    expect(fixture.outputs.join('\n')).not.toContain(secret);
  });
});
