/**
 * Feedback never changes a run's outcome (SPEC §7.6): with Bitbucket failing (5xx, rate limited, unreachable) the run
 * still ends as terraform decided, the last error is kept on the run, and the build status lands once Bitbucket
 * answers again.
 */
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { BitbucketFeedback } from '../../src/worker/bitbucket';
import { TestControlPlane } from '../server/harness';
import { ended, FakeSource, startPool, waitForRun } from './harness';

jest.setTimeout(120_000);

const server = new TestControlPlane('pglite');
const source = new FakeSource();
let bitbucket: RunningEmulator;
let runner: ReturnType<typeof startPool>;

const files = { 'main.tf': 'resource "terraform_data" "x" {\n  input = "feedback"\n}\n' };

beforeAll(async () => {
  bitbucket = await startEmulator({ port: 0 });
  bitbucket.createProject('PLAT');
  bitbucket.createRepository('PLAT', 'app', { defaultBranch: 'main' });
  await server.start();
  const url = await server.listen();
  // Feedback posts to the emulator, retrying quickly and giving up after 20 s (the unreachable case).
  runner = startPool(server, url, source, (host) => new BitbucketFeedback(host, { firstDelayMs: 200, maxDelayMs: 1000, giveUpAfterMs: 20_000 }));
}, 60_000);
afterAll(async () => {
  await runner.pool.stop();
  await server.stop();
  await bitbucket.close();
}, 60_000);
beforeEach(() => server.reset());

async function runWith(apiHost: string): Promise<{ stackId: string; runId: string; commit: string }> {
  const integration = await server.createIntegration({ name: 'bitbucket', apiHost, username: 'admin', accessToken: bitbucket.adminToken });
  const stack = await server.createStack({ name: 'app', autodeploy: true, vcs: { integrationId: integration.id, projectKey: 'PLAT', repositorySlug: 'app', branch: 'main' } });
  const { commit } = await bitbucket.push('PLAT', 'app', { branch: 'main', files: { 'main.tf': `# ${Math.random()}\n` } });
  source.add(commit, files);
  const created = await server.request('POST', `/api/v1/stacks/${stack.id}/runs`, { body: { commit } });
  return { stackId: stack.id, runId: created.body.id, commit };
}

async function buildState(commit: string, stackId: string): Promise<string | undefined> {
  const response = await fetch(`${bitbucket.url}/rest/api/latest/projects/PLAT/repos/app/commits/${commit}/builds?key=${encodeURIComponent(`liftgate/${stackId}/tracked`)}`, {
    headers: { Authorization: `Bearer ${bitbucket.adminToken}` },
  });
  return response.status === 200 ? ((await response.json()) as { state: string }).state : undefined;
}

it.each([
  ['answers 500', { rate: 1, status: 500 }],
  ['answers 503', { rate: 1, status: 503 }],
])('Bitbucket %s while the run ends: the run FINISHES, the error is on the run, the status lands once Bitbucket answers', async (_what, faults) => {
  bitbucket.setFaults(faults);
  const { stackId, runId, commit } = await runWith(bitbucket.url);
  const run = await waitForRun(server, stackId, runId, ended);
  expect(run.state).toBe('FINISHED');
  const failing = await waitForRun(server, stackId, runId, (candidate) => typeof candidate.feedback?.error === 'string');
  expect(failing.feedback.error).toMatch(/50[03]/);
  expect(await buildState(commit, stackId).catch(() => undefined)).toBeUndefined();
  bitbucket.setFaults(null);
  const recovered = await waitForRun(server, stackId, runId, (candidate) => candidate.feedback?.error === null && candidate.feedback?.buildStatus === 'FINISHED', 60_000);
  expect(recovered.state).toBe('FINISHED');
  expect(await buildState(commit, stackId)).toBe('SUCCESSFUL');
});

it('Bitbucket rate limiting (429 with Retry-After) delays the status but it lands', async () => {
  bitbucket.setRateLimit({ capacity: 1, refillPerSecond: 0.5 });
  try {
    const { stackId, runId, commit } = await runWith(bitbucket.url);
    const run = await waitForRun(server, stackId, runId, (candidate) => ended(candidate) && candidate.feedback?.buildStatus === 'FINISHED', 60_000);
    expect(run.state).toBe('FINISHED');
    bitbucket.setRateLimit(null);
    expect(await buildState(commit, stackId)).toBe('SUCCESSFUL');
  } finally {
    bitbucket.setRateLimit(null);
  }
});

it('Bitbucket unreachable: the run still FINISHES and the connection error is on the run', async () => {
  const { stackId, runId } = await runWith('http://127.0.0.1:9');
  const run = await waitForRun(server, stackId, runId, (candidate) => ended(candidate) && typeof candidate.feedback?.error === 'string');
  expect(run.state).toBe('FINISHED');
  expect(run.feedback.error).toMatch(/ECONNREFUSED|connect|unreachable/i);
});
