/**
 * `bitbucketdc_project_webhook` and the `bitbucketdc_repositories` data source driven by the real
 * terraform 1.11 binary against the emulator, in one working directory: the data source fans a
 * repository webhook out to every repository of a project, next to one project webhook whose whole
 * life (create, empty plan, import, update, drift, out-of-band delete, replace, destroy) runs here.
 */
import { BitbucketClient } from '../../../src/clients/bitbucket';
import { startEmulator, type RunningEmulator } from '../../../src/emulator';
import { expectSuccess, TerraformSandbox, type TerraformResult } from '../../helpers/terraform';

jest.setTimeout(240_000);

const secret = 'project-hook-secret-91x';

function config(emulatorUrl: string, token: string, project: { key?: string; events?: string[] } = {}): string {
  return `
terraform {
  required_providers {
    bitbucketdc = { source = "liftgate/bitbucketdc" }
  }
}

provider "bitbucketdc" {
  server_url = ${JSON.stringify(emulatorUrl)}
  token      = ${JSON.stringify(token)}
}

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
  let bitbucket: RunningEmulator;
  let admin: BitbucketClient;
  let sandbox: TerraformSandbox;
  const outputs: string[] = [];
  const run = async (args: string[]): Promise<TerraformResult> => {
    const result = await sandbox.terraform([...args, '-no-color']);
    outputs.push(result.stdout, result.stderr);
    return result;
  };
  const apply = async () => expectSuccess(await run(['apply', '-auto-approve', '-input=false']));
  const plan = async () => run(['plan', '-detailed-exitcode', '-input=false']);
  const showProjectWebhook = async () => {
    // Not through run(): `show -json` prints state values, the secret included (Terraform's behaviour).
    const result = await sandbox.terraform(['show', '-json', '-no-color']);
    expectSuccess(result);
    const state = JSON.parse(result.stdout) as { values: { root_module: { resources: { address: string; values: unknown; sensitive_values: unknown }[] } } };
    return state.values.root_module.resources.find((resource) => resource.address === 'bitbucketdc_project_webhook.all')!;
  };
  const onlyProjectHook = (key = 'PLAT') => {
    const list = bitbucket.projectWebhooks(key);
    expect(list).toHaveLength(1);
    return list[0];
  };

  beforeAll(async () => {
    bitbucket = await startEmulator({ port: 0 });
    bitbucket.createProject('PLAT');
    bitbucket.createProject('OPS');
    bitbucket.createProject('APPS');
    for (const name of ['web', 'billing', 'auth']) bitbucket.createRepository('APPS', name, { description: `the ${name} service` });
    admin = new BitbucketClient({ baseUrl: bitbucket.url, token: bitbucket.adminToken });
    sandbox = new TerraformSandbox('bitbucketdc-project-webhook');
    sandbox.writeConfig(config(bitbucket.url, bitbucket.adminToken));
    expectSuccess(await run(['init', '-input=false']));
  });

  afterAll(async () => {
    admin?.close();
    await bitbucket?.close();
    sandbox?.remove();
  });

  test('create: the project webhook and one webhook per listed repository; a second plan is empty', async () => {
    await apply();
    expect(onlyProjectHook()).toMatchObject({ name: 'liftgate-project', url: 'https://ci.example.com/hooks/project', active: true, configuration: { secret } });
    for (const slug of ['web', 'billing', 'auth']) {
      expect(bitbucket.repositoryWebhooks('APPS', slug)).toEqual([expect.objectContaining({ name: 'deploy', url: `https://deploy.example.com/${slug}` })]);
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
    sandbox.writeConfig(config(bitbucket.url, bitbucket.adminToken, { events: ['repo:refs_changed', 'pr:merged'] }));
    await apply();
    expect(onlyProjectHook()).toMatchObject({ id, configuration: { secret } });
    expect([...onlyProjectHook().events].sort()).toEqual(['pr:merged', 'repo:refs_changed']);
  });

  test('drift: a project webhook deactivated in Bitbucket shows as exactly that change; apply restores it', async () => {
    const hook = await admin.projectWebhooks.get('PLAT', onlyProjectHook().id);
    await admin.projectWebhooks.update('PLAT', hook.id, { name: hook.name, url: hook.url, events: hook.events, active: false, configuration: hook.configuration });
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
    await admin.projectWebhooks.delete('PLAT', onlyProjectHook().id);
    const result = await plan();
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/bitbucketdc_project_webhook\.all will be created/);
    await apply();
    expect(onlyProjectHook().name).toBe('liftgate-project');
  });

  test('changing project_key replaces the webhook', async () => {
    sandbox.writeConfig(config(bitbucket.url, bitbucket.adminToken, { key: 'OPS', events: ['repo:refs_changed', 'pr:merged'] }));
    const result = await plan();
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/project_key += "PLAT" -> "OPS" # forces replacement/);
    await apply();
    expect(bitbucket.projectWebhooks('PLAT')).toHaveLength(0);
    expect(onlyProjectHook('OPS')).toMatchObject({ name: 'liftgate-project', configuration: { secret } });
  });

  test('destroy removes every webhook from Bitbucket', async () => {
    expectSuccess(await run(['destroy', '-auto-approve', '-input=false']));
    expect(bitbucket.projectWebhooks('OPS')).toHaveLength(0);
    for (const slug of ['web', 'billing', 'auth']) expect(bitbucket.repositoryWebhooks('APPS', slug)).toHaveLength(0);
    expect(outputs.join('\n')).not.toContain(secret);
  });
});
