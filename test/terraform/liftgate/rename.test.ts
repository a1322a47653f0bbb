/**
 * Rename-by-recreate across both providers, with the real terraform binary, a real `liftgate serve` and the
 * Bitbucket emulator: renaming an integration replaces it, its new webhook URL and secret are unknown in the
 * plan, so the repository webhooks (bitbucketdc) and the stacks that reference it follow in the same apply.
 * Afterwards no stack is detached, every webhook carries the new URL and secret, a push reaches the control
 * plane and starts a run, and the next plan is empty. A space-level integration is replaced
 * create-before-destroy; the default integration destroy-first (only one default may exist).
 */
import { LiftgateClient } from '../../../src/clients/liftgate';
import { startEmulator, type RunningEmulator } from '../../../src/emulator';
import { expectSuccess, TerraformSandbox, type TerraformResult } from '../../helpers/terraform';
import { ControlPlaneProcess, liftgateProviderBlock } from './control-plane';

jest.setTimeout(300_000);

const repositories = ['network', 'api'];

describe('renaming an integration with real terraform (liftgate + bitbucketdc)', () => {
  let controlPlane: ControlPlaneProcess;
  let bitbucket: RunningEmulator;
  let serviceToken: string;
  const sandboxes: TerraformSandbox[] = [];

  beforeAll(async () => {
    [controlPlane, bitbucket] = await Promise.all([ControlPlaneProcess.start(), startEmulator({ port: 0 })]);
    bitbucket.createProject('PLAT', { name: 'Platform' });
    for (const slug of repositories) bitbucket.createRepository('PLAT', slug);
    serviceToken = bitbucket.createUser({ name: 'svc', projectPermissions: { PLAT: 'PROJECT_ADMIN' } }).token as string;
  });

  afterAll(async () => {
    await Promise.all([controlPlane?.stop(), bitbucket?.close()]);
    for (const sandbox of sandboxes) sandbox.remove();
  });

  /** One integration, and per repository a stack using it and a webhook pointing at it. */
  function config(kind: 'space-level' | 'default', integrationName: string): string {
    const spaceLevel = kind === 'space-level';
    const perRepository = repositories
      .map(
        (slug) => `
resource "liftgate_stack" ${JSON.stringify(slug)} {
  name            = "${kind}-${slug}"
  space_id        = ${spaceLevel ? 'liftgate_space.team.id' : '"root"'}
  integration_id  = liftgate_bitbucket_datacenter_integration.bb.id
  project_key     = "PLAT"
  repository_slug = ${JSON.stringify(slug)}
  branch          = "main"
}

resource "bitbucketdc_repository_webhook" ${JSON.stringify(slug)} {
  project_key     = "PLAT"
  repository_slug = ${JSON.stringify(slug)}
  name            = "liftgate-${kind}"
  url             = liftgate_bitbucket_datacenter_integration.bb.webhook_url
  secret          = liftgate_bitbucket_datacenter_integration.bb.webhook_secret
  events          = ["repo:refs_changed", "pr:opened", "pr:merged"]
}
`,
      )
      .join('');
    return `${liftgateProviderBlock(controlPlane).replace(
      'liftgate = { source = "liftgate/liftgate" }',
      'liftgate = { source = "liftgate/liftgate" }\n    bitbucketdc = { source = "liftgate/bitbucketdc" }',
    )}
provider "bitbucketdc" {
  server_url = ${JSON.stringify(bitbucket.url)}
  token      = ${JSON.stringify(bitbucket.adminToken)}
}
${spaceLevel ? 'resource "liftgate_space" "team" {\n  name = "team"\n}\n' : ''}
resource "liftgate_bitbucket_datacenter_integration" "bb" {
  name         = ${JSON.stringify(integrationName)}
  is_default   = ${!spaceLevel}
${spaceLevel ? '  space_id     = liftgate_space.team.id\n' : ''}  api_host     = ${JSON.stringify(bitbucket.url)}
  username     = "svc"
  access_token = ${JSON.stringify(serviceToken)}
${spaceLevel ? '\n  lifecycle {\n    create_before_destroy = true\n  }\n' : ''}}
${perRepository}`;
  }

  async function renameAndCheck(kind: 'space-level' | 'default', oldName: string, newName: string, oldId: string, newId: string) {
    const sandbox = new TerraformSandbox(`liftgate-rename-${kind}`);
    sandboxes.push(sandbox);
    const terraform = (...args: string[]): Promise<TerraformResult> => sandbox.terraform([args[0] as string, '-no-color', '-input=false', ...args.slice(1)]);
    sandbox.writeConfig(config(kind, oldName));
    expectSuccess(await terraform('init'));
    expectSuccess(await terraform('apply', '-auto-approve'));
    const stackIds = (await controlPlane.ok('GET', '/api/v1/stacks'))
      .filter((stack: { name: string }) => stack.name.startsWith(`${kind}-`))
      .map((stack: { id: string }) => stack.id);
    expect(stackIds).toHaveLength(repositories.length);

    sandbox.writeConfig(config(kind, newName));
    const plan = await terraform('plan');
    expectSuccess(plan);
    expect(plan.stdout).toContain('# liftgate_bitbucket_datacenter_integration.bb must be replaced');
    expect(plan.stdout).toContain(kind === 'space-level' ? '+/- create replacement and then destroy' : '-/+ destroy and then create replacement');
    expect(plan.stdout).toMatch(/~ name += "[^"]+" -> "[^"]+" # forces replacement/);
    expect(plan.stdout).toMatch(/~ webhook_url += "[^"]+" -> \(known after apply\)/);
    expect(plan.stdout).toMatch(/~ webhook_secret += \(sensitive value\)/);
    for (const slug of repositories) {
      expect(plan.stdout).toContain(`# liftgate_stack.${slug} will be updated in-place`);
      expect(plan.stdout).toContain(`# bitbucketdc_repository_webhook.${slug} will be updated in-place`);
    }
    expect(plan.stdout).toContain('Plan: 1 to add, 4 to change, 1 to destroy.');

    const applied = await terraform('apply', '-auto-approve');
    expectSuccess(applied);
    const created = applied.stdout.indexOf('liftgate_bitbucket_datacenter_integration.bb: Creation complete');
    const destroyed = applied.stdout.search(/liftgate_bitbucket_datacenter_integration\.bb(?: \(deposed object \w+\))?: Destruction complete/);
    expect(created).toBeGreaterThan(-1);
    expect(destroyed).toBeGreaterThan(-1);
    // Space-level: the new integration exists before the old one goes; default: the old one goes first.
    if (kind === 'space-level') expect(created).toBeLessThan(destroyed);
    else expect(destroyed).toBeLessThan(created);
    // Create-before-destroy moves the stacks before the old integration goes: nothing to say. Destroy-first detaches
    // them for the moment between the delete and their update, and the apply says that, not that they stay detached.
    if (kind === 'space-level') expect(applied.stdout).not.toContain('detached');
    else {
      const flat = applied.stdout.replace(/\s+/g, ' ');
      expect(flat).toMatch(
        /Default integration "BB Default" was deleted before its replacement exists; stacks "default-(network|api)" and "default-(network|api)" are detached until pointed at it/,
      );
      expect(flat).not.toContain('now detached');
    }

    expect((await controlPlane.api('GET', `/api/v1/integrations/bitbucket-datacenter/${oldId}`)).status).toBe(404);
    const integration = await controlPlane.ok('GET', `/api/v1/integrations/bitbucket-datacenter/${newId}`);
    expect(integration.webhookUrl).toBe(`${controlPlane.url}/webhooks/bitbucket-datacenter/${newId}`);
    for (const id of stackIds) {
      expect(await controlPlane.ok('GET', `/api/v1/stacks/${id}`)).toMatchObject({ detached: false, vcs: { integrationId: newId } });
    }
    for (const slug of repositories) {
      const hooks = bitbucket.repositoryWebhooks('PLAT', slug).filter((hook) => hook.name === `liftgate-${kind}`);
      expect(hooks).toHaveLength(1);
      expect(hooks[0]).toMatchObject({ url: integration.webhookUrl, configuration: { secret: integration.webhookSecret } });
    }

    // A push is signed with the new secret, accepted by the control plane, and starts a run of the stack.
    const pushed = await bitbucket.push('PLAT', 'network', { branch: 'main' });
    const delivery = pushed.deliveries.find((candidate) => candidate.webhookName === `liftgate-${kind}`);
    expect(delivery).toMatchObject({ url: integration.webhookUrl, outcome: 'SUCCESS' });
    // Read back through the control-plane client, which also checks its schemas against the real answers.
    const liftgate = new LiftgateClient({ endpoint: controlPlane.url, apiKey: controlPlane.adminKey });
    try {
      const networkStack = (await liftgate.stacks.list()).find((stack) => stack.name === `${kind}-network`);
      const runs = await liftgate.stacks.runs(networkStack?.id as string).toArray();
      expect(runs).toEqual([expect.objectContaining({ kind: 'TRACKED', trigger: 'repo:refs_changed', branch: 'main' })]);
      const { items: log } = await liftgate.integrations.deliveries(newId, { pageSize: 10 }).firstPage();
      expect(log[0]).toMatchObject({ requestId: delivery?.requestId, outcome: 'TRIGGERED', runIds: [runs[0]?.id] });
    } finally {
      liftgate.close();
    }

    const after = await terraform('plan', '-detailed-exitcode');
    if (after.code !== 0) process.stderr.write(after.stdout);
    expect(after.code).toBe(0);
    expectSuccess(await terraform('destroy', '-auto-approve'));
  }

  test('space-level integration: replaced create-before-destroy, webhooks and stacks follow in the same apply', async () => {
    await renameAndCheck('space-level', 'BB Team', 'BB Team Renamed', 'bb-team', 'bb-team-renamed');
  });

  test('default integration: replaced destroy-first, webhooks and stacks follow in the same apply', async () => {
    await renameAndCheck('default', 'BB Default', 'BB Default Renamed', 'bb-default', 'bb-default-renamed');
  });
});
