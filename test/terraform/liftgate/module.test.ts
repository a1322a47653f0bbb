/**
 * `liftgate_module` driven by the real terraform against a real `liftgate serve` and the Bitbucket emulator:
 * create → empty plan → import → update in place → replacement when the registry address changes → destroy.
 */
import { startEmulator, type RunningEmulator } from '../../../src/emulator';
import { expectSuccess, TerraformSandbox, type TerraformResult } from '../../helpers/terraform';
import { ControlPlaneProcess, liftgateProviderBlock } from './control-plane';

jest.setTimeout(300_000);

describe('liftgate_module with real terraform', () => {
  let controlPlane: ControlPlaneProcess;
  let bitbucket: RunningEmulator;
  let sandbox: TerraformSandbox;

  const config = (name: string, description: string) => `${liftgateProviderBlock(controlPlane)}
resource "liftgate_bitbucket_datacenter_integration" "bb" {
  name         = "BB"
  is_default   = true
  api_host     = ${JSON.stringify(bitbucket.url)}
  username     = "admin"
  access_token = ${JSON.stringify(bitbucket.adminToken)}
}

resource "liftgate_module" "network" {
  name               = ${JSON.stringify(name)}
  terraform_provider = "aws"
  integration_id     = liftgate_bitbucket_datacenter_integration.bb.id
  project_key        = "PLAT"
  repository_slug    = "modules"
  project_root       = "network"
  description        = ${JSON.stringify(description)}
  labels             = ["network"]
}
`;
  const run = ([command, ...rest]: string[]): Promise<TerraformResult> =>
    sandbox.terraform([command as string, ...(command === 'state' ? [] : ['-no-color', ...(command === 'show' ? [] : ['-input=false'])]), ...rest]);
  const apply = async () => {
    const result = await run(['apply', '-auto-approve']);
    expectSuccess(result);
    return result;
  };
  const moduleValues = async (): Promise<Record<string, unknown>> => {
    const shown = JSON.parse((await run(['show', '-json'])).stdout) as { values: { root_module: { resources: { address: string; values: Record<string, unknown> }[] } } };
    return shown.values.root_module.resources.find((resource) => resource.address === 'liftgate_module.network')!.values;
  };

  beforeAll(async () => {
    [controlPlane, bitbucket] = await Promise.all([ControlPlaneProcess.start(), startEmulator({ port: 0 })]);
    bitbucket.createProject('PLAT', { name: 'Platform' });
    bitbucket.createRepository('PLAT', 'modules');
    sandbox = new TerraformSandbox('liftgate-module');
    sandbox.writeConfig(config('network', 'VPCs'));
    expectSuccess(await run(['init']));
  });

  afterAll(async () => {
    await Promise.all([controlPlane?.stop(), bitbucket?.close()]);
    sandbox?.remove();
  });

  test('create, then an empty plan; import gives the same attributes', async () => {
    expect((await apply()).stdout).toContain('2 added, 0 changed, 0 destroyed');
    const values = await moduleValues();
    expect(await controlPlane.ok('GET', `/api/v1/modules/${values.id}`)).toMatchObject({
      name: 'network',
      terraformProvider: 'aws',
      spaceId: 'root',
      vcs: { integrationId: 'bb', projectKey: 'PLAT', repositorySlug: 'modules', branch: 'main', projectRoot: 'network' },
      description: 'VPCs',
      labels: ['network'],
      detached: false,
    });
    expect((await run(['plan', '-detailed-exitcode'])).code).toBe(0);
    expectSuccess(await run(['state', 'rm', 'liftgate_module.network']));
    expectSuccess(await run(['import', 'liftgate_module.network', values.id as string]));
    expect(await moduleValues()).toEqual(values);
    expect((await run(['plan', '-detailed-exitcode'])).code).toBe(0);
  });

  test('a new description is an update in place; a new name replaces the module (its registry address changes)', async () => {
    const before = await moduleValues();
    sandbox.writeConfig(config('network', 'VPCs and subnets'));
    expect((await apply()).stdout).toContain('0 added, 1 changed, 0 destroyed');
    expect((await moduleValues()).id).toBe(before.id);
    sandbox.writeConfig(config('net', 'VPCs and subnets'));
    const plan = await run(['plan']);
    expect(plan.stdout).toContain('# liftgate_module.network must be replaced');
    expect((await apply()).stdout).toContain('1 added, 0 changed, 1 destroyed');
    expect((await controlPlane.api('GET', `/api/v1/modules/${before.id}`)).status).toBe(404);
  });

  test('a name the registry cannot address fails the plan, naming the attribute', async () => {
    sandbox.writeConfig(config('Net_Work', 'VPCs'));
    const plan = await run(['plan']);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain('"Net_Work" must start with a lower-case letter or digit');
    sandbox.writeConfig(config('net', 'VPCs and subnets'));
  });

  test('destroy removes it from the control plane', async () => {
    const { id } = await moduleValues();
    expectSuccess(await run(['destroy', '-auto-approve']));
    expect((await controlPlane.api('GET', `/api/v1/modules/${id}`)).status).toBe(404);
  });
});
