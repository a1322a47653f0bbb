/**
 * Runs through a VCS agent, end to end (SPEC §9): `liftgate serve` with its built-in worker, the Bitbucket emulator,
 * and a real `liftgate vcs-agent` process. Only the agent knows the emulator's address: the integration's API host is
 * `private://dc-pool`, and serve may not call any loopback host (--allowed-bitbucket-hosts names another host). A push
 * becomes a FINISHED run with SUCCESSFUL on the commit; with the agent gone, the next run is FAILED with SPEC §9's
 * reason.
 */
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { startCli } from '../helpers/cli';
import type { RunningProcess } from '../helpers/process';
import { buildStatusOnce, ControlPlaneProcess, hookRepository, waitFor } from '../helpers/serve';

jest.setTimeout(240_000);

let bitbucket: RunningEmulator;
let serve: ControlPlaneProcess;
let agent: RunningProcess<true> | undefined;
let stackId: string;

const code = (marker: string) => ({
  'infra/main.tf': `resource "terraform_data" "marker" {\n  input = "${marker}"\n}\noutput "marker" {\n  value = terraform_data.marker.output\n}\n`,
});

const ENDED = ['FINISHED', 'FAILED', 'DISCARDED', 'CANCELED'];

async function runOf(commit: string): Promise<any> {
  return waitFor(`the run of ${commit} to end`, async () => {
    const runs = (await serve.ok('GET', `/api/v1/stacks/${stackId}/runs`)) as any[];
    const run = runs.find((candidate) => candidate.commit === commit && candidate.kind === 'TRACKED');
    return run !== undefined && ENDED.includes(run.state) ? run : undefined;
  });
}

async function connectedAgents(): Promise<number> {
  const pools = (await serve.ok('GET', '/api/v1/vcs-agent-pools')) as { name: string; connectedAgents: number }[];
  return pools.find((pool) => pool.name === 'dc-pool')?.connectedAgents ?? 0;
}

beforeAll(async () => {
  bitbucket = await startEmulator({ port: 0 });
  // The later --allowed-bitbucket-hosts wins over the helper's "loopback": serve may not call the emulator directly.
  serve = await ControlPlaneProcess.start({ env: { LIFTGATE_ENCRYPTION_KEY: 'a'.repeat(64) }, args: ['--allowed-bitbucket-hosts', 'bitbucket.invalid'] });
  bitbucket.createProject('PLAT');
  bitbucket.createRepository('PLAT', 'network', { defaultBranch: 'main' });
  await bitbucket.push('PLAT', 'network', { branch: 'main', files: code('first'), message: 'First' });
  const pool = await serve.ok('POST', '/api/v1/vcs-agent-pools', { name: 'dc-pool' });
  agent = await startCli(['vcs-agent', '--endpoint', serve.url, '--target', bitbucket.url, '--parallelism', '2'], (stdout) => (stdout.includes('"msg":"connected"') ? true : undefined), {
    env: { LIFTGATE_VCS_AGENT_TOKEN: pool.token },
  });
  await waitFor('the agent to be connected', async () => ((await connectedAgents()) > 0 ? true : undefined), 15_000);
  // With the agent connected, the credential check goes through it.
  const integration = await serve.ok('POST', '/api/v1/integrations/bitbucket-datacenter', {
    name: 'behind the firewall',
    apiHost: 'private://dc-pool',
    username: 'admin',
    accessToken: bitbucket.adminToken,
    isDefault: true,
  });
  await hookRepository(bitbucket, { projectKey: 'PLAT', slug: 'network' }, { url: integration.webhookUrl, secret: integration.webhookSecret, events: ['repo:refs_changed'] });
  stackId = (await serve.ok('POST', '/api/v1/stacks', { name: 'network', autodeploy: true, vcs: { projectKey: 'PLAT', repositorySlug: 'network', branch: 'main', projectRoot: 'infra' } })).id;
}, 120_000);

afterAll(async () => {
  await agent?.stop('SIGKILL');
  await serve?.stop();
  await bitbucket?.close();
});

test('a push becomes a FINISHED run through the agent, with SUCCESSFUL on the commit', async () => {
  const { commit } = await bitbucket.push('PLAT', 'network', { branch: 'main', files: code('through the agent'), message: 'Change the marker' });
  const run = await runOf(commit);
  expect(run.state).toBe('FINISHED');
  expect(run.delta).toEqual({ add: 1, change: 0, destroy: 0 });
  const state = await serve.ok('GET', `/api/v1/stacks/${stackId}/state`);
  expect(state.outputs.marker.value).toBe('through the agent');
  const status = await buildStatusOnce(bitbucket, commit, `liftgate/${stackId}/tracked`, 'SUCCESSFUL');
  expect(status.url).toBe(`${serve.url}/stacks/${stackId}/runs/${run.id}`);
  // The control plane never had the emulator's address: it is in neither its answers nor its log.
  expect(JSON.stringify(await serve.ok('GET', '/api/v1/integrations/bitbucket-datacenter'))).not.toContain(bitbucket.url);
  expect(serve.logs()).not.toContain(bitbucket.url);
});

test('with no agent of the pool connected, the run is FAILED with SPEC §9\'s reason', async () => {
  await agent?.stop('SIGTERM');
  agent = undefined;
  await waitFor('the agent to be gone', async () => ((await connectedAgents()) === 0 ? true : undefined), 15_000);
  const { commit } = await bitbucket.push('PLAT', 'network', { branch: 'main', files: code('no agent'), message: 'Nobody carries this' });
  const run = await runOf(commit);
  expect(run.state).toBe('FAILED');
  expect(run.failure).toContain('no VCS agent of pool dc-pool is connected');
});
