/**
 * The liftgate provider driven by the real terraform 1.11 binary against a real `liftgate serve` and the
 * Bitbucket emulator: every resource through create → empty plan → import-and-compare → update → replace →
 * destroy, with the data sources read along the way. Terraform is slow, so the steps share one working
 * directory and build on each other in order.
 */
import { startEmulator, type RunningEmulator } from '../../../src/emulator';
import { expectSuccess, TerraformSandbox } from '../../helpers/terraform';
import { ControlPlaneProcess, liftgateProviderBlock, terraformSteps, type ShownResource } from './control-plane';

jest.setTimeout(300_000);

interface Settings {
  spaceDescription: string;
  leafParent: 'root' | 'team';
  integrationName: string;
  integrationLabels: string[];
  stackBranch: string;
}

const initial: Settings = {
  spaceDescription: 'Team A',
  leafParent: 'root',
  integrationName: 'BB Team A',
  integrationLabels: ['team-a'],
  stackBranch: 'main',
};

describe('liftgate provider lifecycle with real terraform', () => {
  let controlPlane: ControlPlaneProcess;
  let bitbucket: RunningEmulator;
  let sandbox: TerraformSandbox;
  let settings: Settings = initial;

  const config = (s: Settings) => `${liftgateProviderBlock(controlPlane)}
resource "liftgate_space" "team" {
  name             = "team-a"
  description      = ${JSON.stringify(s.spaceDescription)}
  inherit_entities = true
  labels           = ["platform", "team-a"]
}

resource "liftgate_space" "leaf" {
  name            = "leaf"
  parent_space_id = ${s.leafParent === 'root' ? '"root"' : 'liftgate_space.team.id'}
}

resource "liftgate_bitbucket_datacenter_integration" "bb" {
  name         = ${JSON.stringify(s.integrationName)}
  space_id     = liftgate_space.team.id
  api_host     = ${JSON.stringify(bitbucket.url)}
  username     = "admin"
  access_token = ${JSON.stringify(bitbucket.adminToken)}
  labels       = ${JSON.stringify(s.integrationLabels)}
  description  = "The team's Bitbucket"
}

resource "liftgate_stack" "app" {
  name            = "app"
  space_id        = liftgate_space.team.id
  integration_id  = liftgate_bitbucket_datacenter_integration.bb.id
  project_key     = "PLAT"
  repository_slug = "network"
  branch          = ${JSON.stringify(s.stackBranch)}
  labels          = ["app"]
}

data "liftgate_space" "team" {
  id = liftgate_space.team.id
}

data "liftgate_bitbucket_datacenter_integration" "bb" {
  id = liftgate_bitbucket_datacenter_integration.bb.id
}

output "space_name_from_data_source" {
  value = data.liftgate_space.team.name
}

output "webhook_url_from_data_source" {
  value = data.liftgate_bitbucket_datacenter_integration.bb.webhook_url
}
`;

  const { run, apply, planExitCode, show } = terraformSteps(() => sandbox);
  const shownValues = async (address: string) => {
    const resource = (await show()).get(address);
    if (resource === undefined) throw new Error(`${address} is not in state`);
    return resource;
  };

  beforeAll(async () => {
    [controlPlane, bitbucket] = await Promise.all([ControlPlaneProcess.start(), startEmulator({ port: 0 })]);
    bitbucket.createProject('PLAT', { name: 'Platform' });
    bitbucket.createRepository('PLAT', 'network');
    sandbox = new TerraformSandbox('liftgate-lifecycle');
    sandbox.writeConfig(config(settings));
    expectSuccess(await run(['init']));
  });

  afterAll(async () => {
    await Promise.all([controlPlane?.stop(), bitbucket?.close()]);
    sandbox?.remove();
  });

  test('create: the objects exist in the control plane as configured; the data sources read them; a second plan is empty', async () => {
    const result = await apply();
    expect(result.stdout).toContain('4 added, 0 changed, 0 destroyed');
    const space = await shownValues('liftgate_space.team');
    const integration = await shownValues('liftgate_bitbucket_datacenter_integration.bb');
    const stack = await shownValues('liftgate_stack.app');
    expect(await controlPlane.ok('GET', `/api/v1/spaces/${space.values.id}`)).toMatchObject({
      name: 'team-a',
      parentSpaceId: 'root',
      inheritEntities: true,
      description: 'Team A',
    });
    const stored = await controlPlane.ok('GET', `/api/v1/integrations/bitbucket-datacenter/${integration.values.id}`);
    expect(stored).toMatchObject({ id: 'bb-team-a', name: 'BB Team A', isDefault: false, spaceId: space.values.id, apiHost: bitbucket.url, username: 'admin' });
    expect(integration.values).toMatchObject({
      webhook_url: `${controlPlane.url}/webhooks/bitbucket-datacenter/bb-team-a`,
      webhook_secret: stored.webhookSecret,
      user_facing_host: bitbucket.url,
    });
    expect(integration.sensitive_values).toMatchObject({ access_token: true, webhook_secret: true });
    expect(await controlPlane.ok('GET', `/api/v1/stacks/${stack.values.id}`)).toMatchObject({
      name: 'app',
      spaceId: space.values.id,
      vcs: { integrationId: 'bb-team-a', projectKey: 'PLAT', repositorySlug: 'network', branch: 'main', projectRoot: '' },
      detached: false,
    });
    expect(stack.values.detached).toBe(false);
    const outputs = JSON.parse((await run(['output', '-json'])).stdout) as Record<string, { value: unknown }>;
    expect(outputs.space_name_from_data_source?.value).toBe('team-a');
    expect(outputs.webhook_url_from_data_source?.value).toBe(integration.values.webhook_url);
    expect(await planExitCode()).toBe(0);
  });

  test('import into an empty state gives identical attributes (the never-returned token aside) and the plan converges', async () => {
    const before = await show();
    const addresses = ['liftgate_space.team', 'liftgate_space.leaf', 'liftgate_bitbucket_datacenter_integration.bb', 'liftgate_stack.app'];
    expectSuccess(await run(['state', 'rm', ...addresses]));
    for (const address of addresses) {
      expectSuccess(await run(['import', address, (before.get(address) as ShownResource).values.id as string]));
    }
    const after = await show();
    for (const address of addresses) {
      const expected = { ...(before.get(address) as ShownResource).values };
      // The API never returns the access token, so an imported integration cannot know it.
      if (address.includes('integration')) expected.access_token = null;
      expect(after.get(address)?.values).toEqual(expected);
    }
    const plan = await run(['plan', '-detailed-exitcode']);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toMatch(/\+ access_token += \(sensitive value\)/);
    expect(plan.stdout).not.toContain(bitbucket.adminToken);
    expect(plan.stdout).toContain('0 to add, 1 to change, 0 to destroy');
    await apply();
    expect(await planExitCode()).toBe(0);
  });

  test('update in place: space, integration and stack change without replacement', async () => {
    settings = { ...settings, spaceDescription: 'Team A, renamed', integrationLabels: ['team-a', 'prod'], stackBranch: 'release' };
    sandbox.writeConfig(config(settings));
    const result = await apply();
    expect(result.stdout).toContain('0 added, 3 changed, 0 destroyed');
    const space = await shownValues('liftgate_space.team');
    expect((await controlPlane.ok('GET', `/api/v1/spaces/${space.values.id}`)).description).toBe('Team A, renamed');
    expect((await controlPlane.ok('GET', '/api/v1/integrations/bitbucket-datacenter/bb-team-a')).labels.sort()).toEqual(['prod', 'team-a']);
    const stack = await shownValues('liftgate_stack.app');
    expect((await controlPlane.ok('GET', `/api/v1/stacks/${stack.values.id}`)).vcs.branch).toBe('release');
    expect(await planExitCode()).toBe(0);
  });

  test('drift: a change made out of band is planned back, an object deleted out of band is planned for creation', async () => {
    const space = (await shownValues('liftgate_space.team')).values.id as string;
    const stack = (await shownValues('liftgate_stack.app')).values.id as string;
    await controlPlane.ok('PATCH', `/api/v1/spaces/${space}`, { description: 'edited in the API' });
    await controlPlane.ok('DELETE', `/api/v1/stacks/${stack}`);
    const plan = await run(['plan', '-detailed-exitcode']);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toMatch(/~ description += "edited in the API" -> "Team A, renamed"/);
    expect(plan.stdout).toContain('# liftgate_stack.app will be created');
    expect(plan.stdout).toContain('1 to add, 1 to change, 0 to destroy');
    await apply();
    expect((await controlPlane.ok('GET', `/api/v1/spaces/${space}`)).description).toBe('Team A, renamed');
    expect(await planExitCode()).toBe(0);
  });

  test('replace: a new parent_space_id re-creates the space; -replace re-creates a stack', async () => {
    const oldLeaf = (await shownValues('liftgate_space.leaf')).values.id as string;
    settings = { ...settings, leafParent: 'team' };
    sandbox.writeConfig(config(settings));
    const plan = await run(['plan']);
    expect(plan.stdout).toContain('# liftgate_space.leaf must be replaced');
    expect(plan.stdout).toMatch(/parent_space_id += "root" -> .*# forces replacement/);
    const result = await apply();
    expect(result.stdout).toContain('1 added, 0 changed, 1 destroyed');
    const newLeaf = await shownValues('liftgate_space.leaf');
    const team = await shownValues('liftgate_space.team');
    expect(newLeaf.values.id).not.toBe(oldLeaf);
    expect(newLeaf.values.parent_space_id).toBe(team.values.id);
    expect((await controlPlane.api('GET', `/api/v1/spaces/${oldLeaf}`)).status).toBe(404);

    const oldStack = (await shownValues('liftgate_stack.app')).values.id as string;
    const replaced = await apply('-replace=liftgate_stack.app');
    expect(replaced.stdout).toContain('1 added, 0 changed, 1 destroyed');
    const newStack = (await shownValues('liftgate_stack.app')).values.id as string;
    expect(newStack).not.toBe(oldStack);
    expect((await controlPlane.api('GET', `/api/v1/stacks/${oldStack}`)).status).toBe(404);
    expect(await planExitCode()).toBe(0);
  });

  test('destroy removes every object from the control plane', async () => {
    const before = await show();
    expectSuccess(await run(['destroy', '-auto-approve']));
    expect((await controlPlane.api('GET', '/api/v1/integrations/bitbucket-datacenter/bb-team-a')).status).toBe(404);
    for (const address of ['liftgate_space.team', 'liftgate_space.leaf']) {
      expect((await controlPlane.api('GET', `/api/v1/spaces/${before.get(address)?.values.id}`)).status).toBe(404);
    }
    expect((await controlPlane.api('GET', `/api/v1/stacks/${before.get('liftgate_stack.app')?.values.id}`)).status).toBe(404);
  });
});
