/**
 * `liftgate_stack_environment_variable` and `liftgate_stack.manage_state` driven by the real terraform binary against a
 * real `liftgate serve`: create → empty plan → import and compare → update → replace → drift → destroy, and names the
 * control plane refuses failing at validate.
 */
import { expectSuccess, TerraformSandbox } from '../../helpers/terraform';
import { ControlPlaneProcess, liftgateProviderBlock, terraformSteps, type ShownResource } from './control-plane';

jest.setTimeout(300_000);

interface Settings {
  manageState: boolean | null;
  regionName: string;
  regionValue: string;
  tokenValue: string;
  tokenSecret: boolean;
}

describe('liftgate_stack_environment_variable and manage_state with real terraform', () => {
  let controlPlane: ControlPlaneProcess;
  let sandbox: TerraformSandbox;
  let settings: Settings = { manageState: null, regionName: 'AWS_REGION', regionValue: 'eu-west-1', tokenValue: 'hunter2', tokenSecret: true };

  const config = (s: Settings) => `${liftgateProviderBlock(controlPlane)}
resource "liftgate_bitbucket_datacenter_integration" "default" {
  name         = "default"
  is_default   = true
  api_host     = "private://agents"
  username     = "svc"
  access_token = "token"
}

resource "liftgate_stack" "app" {
  name            = "app"
  integration_id  = liftgate_bitbucket_datacenter_integration.default.id
  project_key     = "PLAT"
  repository_slug = "app"
  branch          = "main"
${s.manageState === null ? '' : `  manage_state    = ${s.manageState}\n`}}

resource "liftgate_stack_environment_variable" "region" {
  stack_id = liftgate_stack.app.id
  name     = ${JSON.stringify(s.regionName)}
  value    = ${JSON.stringify(s.regionValue)}
}

resource "liftgate_stack_environment_variable" "token" {
  stack_id = liftgate_stack.app.id
  name     = "DEPLOY_TOKEN"
  value    = ${JSON.stringify(s.tokenValue)}
  secret   = ${s.tokenSecret}
}
`;

  const { run, apply, planExitCode, show } = terraformSteps(() => sandbox);
  const stackId = async () => (await show()).get('liftgate_stack.app')?.values.id as string;
  const variables = async () => (await controlPlane.ok('GET', `/api/v1/stacks/${await stackId()}/environment`)) as { name: string; value: string | null; secret: boolean }[];

  beforeAll(async () => {
    controlPlane = await ControlPlaneProcess.start();
    sandbox = new TerraformSandbox('liftgate-environment');
    sandbox.writeConfig(config(settings));
    expectSuccess(await run(['init']));
  });

  afterAll(async () => {
    await controlPlane?.stop();
    sandbox?.remove();
  });

  test('create: the variables exist (the secret one without its value in the API), manage_state defaults to true; a second plan is empty', async () => {
    const result = await apply();
    expect(result.stdout).toContain('4 added, 0 changed, 0 destroyed');
    expect(result.stdout).not.toContain('hunter2');
    const id = await stackId();
    expect(await variables()).toMatchObject([
      { name: 'AWS_REGION', value: 'eu-west-1', secret: false },
      { name: 'DEPLOY_TOKEN', value: null, secret: true },
    ]);
    expect((await controlPlane.ok('GET', `/api/v1/stacks/${id}`)).manageState).toBe(true);
    const shown = await show();
    expect(shown.get('liftgate_stack.app')?.values.manage_state).toBe(true);
    expect(shown.get('liftgate_stack_environment_variable.token')?.values).toMatchObject({ id: `${id}/DEPLOY_TOKEN`, name: 'DEPLOY_TOKEN', secret: true });
    expect(shown.get('liftgate_stack_environment_variable.token')?.sensitive_values).toMatchObject({ value: true });
    expect(await planExitCode()).toBe(0);
  });

  test('import by <stack_id>/<name> gives identical attributes; a secret value cannot be read back, so the next apply sets it again', async () => {
    const before = await show();
    const addresses = ['liftgate_stack.app', 'liftgate_stack_environment_variable.region', 'liftgate_stack_environment_variable.token'];
    expectSuccess(await run(['state', 'rm', ...addresses]));
    for (const address of addresses) expectSuccess(await run(['import', address, (before.get(address) as ShownResource).values.id as string]));
    const after = await show();
    expect(after.get('liftgate_stack.app')?.values).toEqual(before.get('liftgate_stack.app')?.values);
    expect(after.get('liftgate_stack_environment_variable.region')?.values).toEqual(before.get('liftgate_stack_environment_variable.region')?.values);
    expect(after.get('liftgate_stack_environment_variable.token')?.values).toEqual({ ...before.get('liftgate_stack_environment_variable.token')?.values, value: null });
    const plan = await run(['plan', '-detailed-exitcode']);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('0 to add, 1 to change, 0 to destroy');
    expect(plan.stdout).not.toContain('hunter2');
    await apply();
    expect(await planExitCode()).toBe(0);
    const badId = await run(['import', 'liftgate_stack_environment_variable.region', 'no-slash']);
    expect(badId.code).toBe(1);
    expect(badId.stderr).toContain('Expected an id of the form <stack_id>/<name>');
  });

  test('update in place: a new value, a secret made plain, manage_state turned off', async () => {
    settings = { ...settings, regionValue: 'us-east-1', tokenValue: 'now-public', tokenSecret: false, manageState: false };
    sandbox.writeConfig(config(settings));
    const result = await apply();
    expect(result.stdout).toContain('0 added, 3 changed, 0 destroyed');
    expect(await variables()).toMatchObject([
      { name: 'AWS_REGION', value: 'us-east-1', secret: false },
      { name: 'DEPLOY_TOKEN', value: 'now-public', secret: false },
    ]);
    expect((await controlPlane.ok('GET', `/api/v1/stacks/${await stackId()}`)).manageState).toBe(false);
    expect(await planExitCode()).toBe(0);
  });

  test('a new name replaces the variable; a value changed out of band is planned back; one deleted out of band is created again', async () => {
    settings = { ...settings, regionName: 'REGION' };
    sandbox.writeConfig(config(settings));
    const plan = await run(['plan']);
    expect(plan.stdout).toContain('# liftgate_stack_environment_variable.region must be replaced');
    expect((await apply()).stdout).toContain('1 added, 0 changed, 1 destroyed');
    expect((await variables()).map((variable) => variable.name)).toEqual(['DEPLOY_TOKEN', 'REGION']);

    const id = await stackId();
    await controlPlane.ok('PUT', `/api/v1/stacks/${id}/environment/REGION`, { value: 'edited-in-the-api' });
    await controlPlane.ok('DELETE', `/api/v1/stacks/${id}/environment/DEPLOY_TOKEN`);
    const drift = await run(['plan', '-detailed-exitcode']);
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain('# liftgate_stack_environment_variable.region will be updated in-place');
    expect(drift.stdout).toContain('# liftgate_stack_environment_variable.token will be created');
    await apply();
    expect(await variables()).toMatchObject([
      { name: 'DEPLOY_TOKEN', value: 'now-public' },
      { name: 'REGION', value: 'us-east-1' },
    ]);
    expect(await planExitCode()).toBe(0);
  });

  test('a name the control plane refuses fails at validate, naming the rule', async () => {
    sandbox.writeConfig(config({ ...settings, regionName: 'TF_HTTP_PASSWORD' }));
    const plan = await run(['plan']);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toMatch(/Attribute name is not allowed: TF_HTTP_PASSWORD is reserved \(TF_HTTP_\*\)/);
    sandbox.writeConfig(config({ ...settings, regionName: '1-BAD' }));
    expect((await run(['plan'])).stderr).toContain('must match ^[A-Za-z_][A-Za-z0-9_]*$');
    sandbox.writeConfig(config(settings));
  });

  test('destroy removes the variables and the stack', async () => {
    const id = await stackId();
    expectSuccess(await run(['destroy', '-auto-approve']));
    expect((await controlPlane.api('GET', `/api/v1/stacks/${id}`)).status).toBe(404);
    expect((await controlPlane.api('GET', `/api/v1/stacks/${id}/environment`)).status).toBe(404);
  });
});
