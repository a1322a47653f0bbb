/**
 * `liftgate_vcs_agent_pool` with the real terraform binary against a real `liftgate serve`, and the pool's token handed
 * to a real `liftgate vcs-agent` process: the integration on private://<pool> is checked through it, a killed agent is
 * noticed, and a replaced pool's old token is refused.
 */
import { startEmulator, type RunningEmulator } from '../../../src/emulator';
import { eventually } from '../../agent/harness';
import { runCli, startCli } from '../../helpers/cli';
import type { RunningProcess } from '../../helpers/process';
import { expectSuccess, TerraformSandbox, type TerraformResult } from '../../helpers/terraform';
import { ControlPlaneProcess, liftgateProviderBlock } from './control-plane';

jest.setTimeout(300_000);

describe('liftgate_vcs_agent_pool with real terraform and a real agent', () => {
  let controlPlane: ControlPlaneProcess;
  let bitbucket: RunningEmulator;
  let sandbox: TerraformSandbox;
  let agent: RunningProcess<true> | undefined;
  let bitbucketToken = '';

  const config = (description: string) => `${liftgateProviderBlock(controlPlane)}
resource "liftgate_vcs_agent_pool" "dc" {
  name        = "dc-pool"
  description = ${JSON.stringify(description)}
}

resource "liftgate_bitbucket_datacenter_integration" "dc" {
  name         = "Private DC"
  api_host     = "private://\${liftgate_vcs_agent_pool.dc.name}"
  username     = "svc-liftgate"
  access_token = ${JSON.stringify(bitbucketToken)}
}

output "agent_token" {
  value     = liftgate_vcs_agent_pool.dc.token
  sensitive = true
}
`;
  const run = (args: string[]): Promise<TerraformResult> => sandbox.terraform(args);
  const apply = async () => {
    const result = await run(['apply', '-auto-approve', '-no-color', '-input=false']);
    expectSuccess(result);
    return result;
  };
  const token = async () => (await run(['output', '-raw', 'agent_token'])).stdout.trim();
  const startAgent = (poolToken: string) =>
    startCli(['vcs-agent', '--endpoint', controlPlane.url, '--target', bitbucket.url, '--parallelism', '2'], (stdout) => (stdout.includes('"msg":"connected"') ? true : undefined), {
      env: { LIFTGATE_VCS_AGENT_TOKEN: poolToken },
    });
  const pool = async () => ((await controlPlane.ok('GET', '/api/v1/vcs-agent-pools')) as { name: string; connectedAgents: number }[]).find((listed) => listed.name === 'dc-pool');

  beforeAll(async () => {
    [controlPlane, bitbucket] = await Promise.all([ControlPlaneProcess.start(), startEmulator({ port: 0 })]);
    bitbucket.createProject('PLAT');
    bitbucket.createRepository('PLAT', 'infra');
    bitbucketToken = bitbucket.createUser({ name: 'svc-liftgate', repositoryPermissions: { 'PLAT/infra': 'REPO_ADMIN' } }).token as string;
    sandbox = new TerraformSandbox('liftgate-vcs-agent-pool');
    sandbox.writeConfig(config('The data centre'));
    expectSuccess(await run(['init', '-no-color', '-input=false']));
  });

  afterAll(async () => {
    await agent?.stop('SIGKILL');
    await Promise.all([controlPlane?.stop(), bitbucket?.close()]);
    sandbox?.remove();
  });

  test('create: the token in state works for an agent, and credential changes are checked through it', async () => {
    expect((await apply()).stdout).toContain('2 added, 0 changed, 0 destroyed');
    const poolToken = await token();
    expect(poolToken).toMatch(/^lgp_/);
    agent = await startAgent(poolToken);
    await eventually(async () => (await pool())?.connectedAgents === 2, 20_000);
    const wrong = await controlPlane.api('PATCH', '/api/v1/integrations/bitbucket-datacenter/private-dc', { accessToken: 'not-the-token' });
    expect(wrong.status).toBe(422);
    expect(JSON.stringify(wrong.body)).toContain('unauthorized');
    expect(agent.stdout()).not.toContain(bitbucketToken);
    expect((await run(['plan', '-detailed-exitcode', '-no-color', '-input=false'])).code).toBe(0);
  });

  test('a killed agent is noticed at once; with none connected the integration saves unchecked', async () => {
    await agent?.stop('SIGKILL');
    agent = undefined;
    await eventually(async () => (await pool())?.connectedAgents === 0, 20_000);
    const unchecked = await controlPlane.api('PATCH', '/api/v1/integrations/bitbucket-datacenter/private-dc', { accessToken: 'not-the-token' });
    expect(unchecked.status).toBe(200);
  });

  test('replace: a changed description makes a new pool whose new token works and whose old one is refused', async () => {
    const oldToken = await token();
    sandbox.writeConfig(config('Moved'));
    expect((await apply()).stdout).toContain('1 added, 0 changed, 1 destroyed');
    const refused = await runCli(['vcs-agent', '--endpoint', controlPlane.url, '--target', bitbucket.url], { env: { LIFTGATE_VCS_AGENT_TOKEN: oldToken } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('refused the pool token (401)');
    agent = await startAgent(await token());
    await eventually(async () => (await pool())?.connectedAgents === 2, 20_000);
    expectSuccess(await run(['destroy', '-auto-approve', '-no-color', '-input=false']));
    expect(await pool()).toBeUndefined();
    expect(await agent.exited).toBe(1);
    agent = undefined;
  });
});
