/**
 * How workers reach Bitbucket (SPEC §6, §9): through the control plane's --allowed-bitbucket-hosts policy for direct
 * hosts, and through the VCS agents of their process for private://<pool> hosts. A worker without agent connections
 * (a separate `liftgate worker`) leaves those runs to workers that have them; with no agent of the pool connected,
 * the run fails at once with the SPEC's reason.
 */
import { parseBitbucketHostPolicy } from '../../src/domain/bitbucket-hosts';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { BitbucketSource, type BitbucketAccess } from '../../src/worker/bitbucket';
import { TestControlPlane } from '../server/harness';
import { ended, RecordingFeedback, startPool, waitForRun } from './harness';

jest.setTimeout(120_000);

const server = new TestControlPlane('pglite');
let bitbucket: RunningEmulator;
let url: string;
let runner: ReturnType<typeof startPool> | undefined;

const MAIN_TF = 'resource "terraform_data" "x" {\n  input = "access"\n}\noutput "x" {\n  value = terraform_data.x.output\n}\n';

beforeAll(async () => {
  bitbucket = await startEmulator({ port: 0 });
  bitbucket.createProject('PLAT');
  bitbucket.createRepository('PLAT', 'app', { defaultBranch: 'main' });
  await server.start();
  url = await server.listen();
}, 60_000);
afterEach(async () => {
  await runner?.pool.stop();
  runner = undefined;
});
afterAll(async () => {
  await server.stop();
  await bitbucket.close();
}, 60_000);
beforeEach(() => server.reset());

function startWorkers(access: BitbucketAccess, withAgents: boolean): void {
  runner = startPool(server, url, new BitbucketSource(access), new RecordingFeedback(), { withAgents });
}

/** A stack on an integration whose API host is `apiHost`, and a manual run of a fresh commit pushed to the emulator. */
async function runOn(apiHost: string, name: string): Promise<{ stackId: string; runId: string }> {
  const integration = await server.createIntegration({ name: `bitbucket-${name}`, apiHost, username: 'admin', accessToken: bitbucket.adminToken });
  const stack = await server.createStack({ name, autodeploy: true, vcs: { integrationId: integration.id, projectKey: 'PLAT', repositorySlug: 'app', branch: 'main' } });
  const { commit } = await bitbucket.push('PLAT', 'app', { branch: 'main', files: { 'main.tf': `${MAIN_TF}# ${name} ${Math.random()}\n` } });
  const created = await server.request('POST', `/api/v1/stacks/${stack.id}/runs`, { body: { commit } });
  expect(created.status).toBe(201);
  return { stackId: stack.id, runId: created.body.id };
}

it('a worker without agent connections leaves private:// runs queued; a worker with agents fails them when no agent of the pool is connected', async () => {
  const pool = await server.request('POST', '/api/v1/vcs-agent-pools', { body: { name: 'corp-pool' } });
  expect(pool.status).toBe(201);
  const hidden = await runOn('private://corp-pool', 'hidden');
  const direct = await runOn(bitbucket.url, 'direct');

  startWorkers({ hosts: parseBitbucketHostPolicy('loopback') }, false);
  expect((await waitForRun(server, direct.stackId, direct.runId, ended)).state).toBe('FINISHED');
  const waiting = await server.request('GET', `/api/v1/stacks/${hidden.stackId}/runs/${hidden.runId}`);
  expect(waiting.body.state).toBe('QUEUED');
  await runner?.pool.stop();

  startWorkers({ hosts: parseBitbucketHostPolicy('loopback'), agents: server.app.vcsAgents }, true);
  const failed = await waitForRun(server, hidden.stackId, hidden.runId, ended);
  expect(failed.state).toBe('FAILED');
  expect(failed.failure).toContain('no VCS agent of pool corp-pool is connected');
});

it('workers apply --allowed-bitbucket-hosts: a run on a host the policy does not allow FAILS, naming why', async () => {
  const { stackId, runId } = await runOn(bitbucket.url, 'loopback-host');
  startWorkers({ hosts: parseBitbucketHostPolicy('*') }, true);
  const run = await waitForRun(server, stackId, runId, ended);
  expect(run.state).toBe('FAILED');
  expect(run.failure).toContain('apiHost is not allowed');
  expect(run.failure).toContain('loopback');
});
