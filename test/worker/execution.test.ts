/**
 * Each path of SPEC §7.1 with real terraform: a worker pool executes runs queued in the control plane, fetches their
 * code (an in-memory repository here; the Bitbucket path is in test/e2e), and keeps their state in the control plane.
 */
import { TestControlPlane } from '../server/harness';
import { refsChanged } from '../server/webhooks/bitbucket-payloads';
import { signedDelivery } from '../server/webhooks/signed-delivery';
import { commitOf, ended, FakeSource, readLog, RecordingFeedback, startPool, waitForRun } from './harness';

jest.setTimeout(180_000);

const server = new TestControlPlane('pglite');
const source = new FakeSource();
const feedback = new RecordingFeedback();
let runner: ReturnType<typeof startPool>;
let url: string;
let commits = 0;

const main = (marker: string) => ({
  'infra/main.tf': `resource "terraform_data" "marker" {\n  input = "${marker}"\n}\noutput "marker" {\n  value = terraform_data.marker.output\n}\n`,
  'README.md': 'not terraform',
});

beforeAll(async () => {
  await server.start();
  url = await server.listen();
  runner = startPool(server, url, source, feedback);
}, 60_000);
afterAll(async () => {
  await runner.pool.stop();
  await server.stop();
}, 60_000);
beforeEach(() => server.reset());

async function stack(autodeploy: boolean, name = 'network') {
  const integration = await server.createIntegration({ name: `bitbucket-${name}` });
  const created = await server.createStack({ name, autodeploy, vcs: { integrationId: integration.id, projectKey: 'PLAT', repositorySlug: 'network', branch: 'main', projectRoot: 'infra' } });
  return { stackId: created.id as string, integration };
}

async function trigger(stackId: string, files: Record<string, string>): Promise<{ runId: string; commit: string }> {
  const commit = source.add(commitOf(++commits), files);
  const created = await server.request('POST', `/api/v1/stacks/${stackId}/runs`, { body: { commit } });
  expect(created.status).toBe(201);
  return { runId: created.body.id, commit };
}

const states = (run: any): string[] => run.history.map((entry: any) => entry.state);

async function stateOf(stackId: string): Promise<any> {
  const answer = await server.request('GET', `/api/v1/stacks/${stackId}/state`);
  return answer.status === 200 ? answer.body : null;
}

it('a TRACKED run with autodeploy plans, applies and keeps its state in the control plane; the same commit again has no changes', async () => {
  const { stackId } = await stack(true);
  const { runId } = await trigger(stackId, main('one'));
  const run = await waitForRun(server, stackId, runId, ended);
  expect(run.state).toBe('FINISHED');
  expect(states(run)).toEqual(['QUEUED', 'PREPARING', 'INITIALIZING', 'PLANNING', 'APPLYING', 'FINISHED']);
  expect(run.delta).toEqual({ add: 1, change: 0, destroy: 0 });
  const state = await stateOf(stackId);
  expect(state.outputs.marker.value).toBe('one');
  expect(state.resources.map((resource: any) => resource.type)).toEqual(['terraform_data']);
  const log = await readLog(server, url, stackId, runId);
  expect(log).toContain('Apply complete! Resources: 1 added, 0 changed, 0 destroyed.');
  expect(feedback.statesOf(runId)).toEqual(expect.arrayContaining(['PREPARING', 'APPLYING', 'FINISHED']));

  const again = await trigger(stackId, main('one'));
  const unchanged = await waitForRun(server, stackId, again.runId, ended);
  expect(states(unchanged)).toEqual(['QUEUED', 'PREPARING', 'INITIALIZING', 'PLANNING', 'FINISHED']);
  expect(unchanged.delta).toEqual({ add: 0, change: 0, destroy: 0 });
  expect((await stateOf(stackId)).serial).toBe(state.serial);
});

it('the delta comes from terraform’s summary line; a plan that changes outputs only has none, so show -json is asked', async () => {
  const { stackId } = await stack(true);
  const first = await waitForRun(server, stackId, (await trigger(stackId, main('summary'))).runId, ended);
  expect(first.delta).toEqual({ add: 1, change: 0, destroy: 0 });
  expect(await readLog(server, url, stackId, first.id)).not.toContain('$ terraform show -json');
  const outputs = { ...main('summary'), 'infra/outputs.tf': 'output "extra" {\n  value = "only an output"\n}\n' };
  const second = await waitForRun(server, stackId, (await trigger(stackId, outputs)).runId, ended);
  expect(states(second)).toEqual(['QUEUED', 'PREPARING', 'INITIALIZING', 'PLANNING', 'APPLYING', 'FINISHED']);
  expect(second.delta).toEqual({ add: 0, change: 0, destroy: 0 });
  expect(await readLog(server, url, stackId, second.id)).toContain('$ terraform show -json liftgate.tfplan');
  expect((await stateOf(stackId)).outputs.extra.value).toBe('only an output');
});

it('without autodeploy a TRACKED run waits UNCONFIRMED holding its stack; confirm applies the saved plan, discard ends it', async () => {
  const { stackId } = await stack(false);
  const first = await trigger(stackId, main('confirmed'));
  const waiting = await waitForRun(server, stackId, first.runId, (run) => run.state === 'UNCONFIRMED');
  expect(waiting.delta).toEqual({ add: 1, change: 0, destroy: 0 });
  const queuedBehind = await trigger(stackId, main('discarded'));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect((await server.request('GET', `/api/v1/stacks/${stackId}/runs/${queuedBehind.runId}`)).body.state).toBe('QUEUED');
  const discarded = await server.request('POST', `/api/v1/stacks/${stackId}/runs/${first.runId}/discard`, {});
  expect(discarded.status).toBe(200);
  expect(discarded.body.state).toBe('DISCARDED');
  expect(await stateOf(stackId)).toBeNull();

  const second = await waitForRun(server, stackId, queuedBehind.runId, (run) => run.state === 'UNCONFIRMED');
  const refused = await server.request('POST', `/api/v1/stacks/${stackId}/runs/${first.runId}/confirm`, {});
  expect(refused.status).toBe(409);
  expect(refused.body.error.message).toContain('DISCARDED');
  const confirmed = await server.request('POST', `/api/v1/stacks/${stackId}/runs/${second.id}/confirm`, {});
  expect(confirmed.status).toBe(200);
  expect(confirmed.body.state).toBe('CONFIRMED');
  const applied = await waitForRun(server, stackId, second.id, ended);
  expect(states(applied)).toEqual(['QUEUED', 'PREPARING', 'INITIALIZING', 'PLANNING', 'UNCONFIRMED', 'CONFIRMED', 'APPLYING', 'FINISHED']);
  expect((await stateOf(stackId)).outputs.marker.value).toBe('discarded');
});

it('a PROPOSED run plans without a lock and writes no state', async () => {
  const { stackId, integration } = await stack(true);
  const commit = source.add(commitOf(++commits), main('proposed'));
  const payload = refsChanged({ projectKey: 'PLAT', slug: 'network' }, [{ branch: 'feature/x', toHash: commit }]);
  const pushed = await server.send(signedDelivery(integration.id, integration.webhookSecret, 'repo:refs_changed', payload));
  expect(pushed.status).toBe(200);
  const runId = (pushed.body as { runs: { id: string }[] }).runs[0]?.id as string;
  const run = await waitForRun(server, stackId, runId, ended);
  expect(run.kind).toBe('PROPOSED');
  expect(states(run)).toEqual(['QUEUED', 'PREPARING', 'INITIALIZING', 'PLANNING', 'FINISHED']);
  expect(run.delta).toEqual({ add: 1, change: 0, destroy: 0 });
  expect(await stateOf(stackId)).toBeNull();
  const finished = feedback.reports.filter((report) => report.run.id === runId && report.state === 'FINISHED');
  expect(finished[0]?.planText).toContain('terraform_data.marker will be created');
});

it('failing HCL ends FAILED with terraform’s error in the log and in the failure', async () => {
  const { stackId } = await stack(true);
  const { runId } = await trigger(stackId, { 'infra/main.tf': 'resource "terraform_data" "broken" {\n  input = \n}\n' });
  const run = await waitForRun(server, stackId, runId, ended);
  expect(run.state).toBe('FAILED');
  expect(run.failure).toMatch(/^terraform init failed: Error: /);
  expect(await readLog(server, url, stackId, runId)).toContain('Error: ');
  expect(feedback.statesOf(runId)).toContain('FAILED');
});

it('cancel while PLANNING interrupts terraform and leaves no lock behind; the stack’s next run finishes', async () => {
  const { stackId } = await stack(true);
  const slow = {
    'infra/main.tf':
      'locals {\n  big = length(flatten([for i in range(1024) : [for j in range(1024) : "${i}-${j}"]]))\n}\nresource "terraform_data" "x" {\n  input = local.big\n}\n',
  };
  const { runId } = await trigger(stackId, slow);
  await waitForRun(server, stackId, runId, (run) => run.state === 'PLANNING');
  const started = Date.now();
  const canceled = await server.request('POST', `/api/v1/stacks/${stackId}/runs/${runId}/cancel`, {});
  expect(canceled.status).toBe(202);
  const run = await waitForRun(server, stackId, runId, ended);
  expect(run.state).toBe('CANCELED');
  expect(run.failure).toContain('canceled while PLANNING');
  expect(Date.now() - started).toBeLessThan(15_000);
  const lock = await server.db.query<{ lock_id: string | null }>('SELECT lock_id FROM terraform_states WHERE stack_id = $1', [stackId]);
  expect(lock.every((row) => row.lock_id === null)).toBe(true);
  const next = await trigger(stackId, main('after-cancel'));
  expect((await waitForRun(server, stackId, next.runId, ended)).state).toBe('FINISHED');
  expect((await server.request('POST', `/api/v1/stacks/${stackId}/runs/${runId}/cancel`, {})).status).toBe(409);
});

it('PROPOSED runs of one stack run side by side (they take no stack lock)', async () => {
  const { stackId, integration } = await stack(true);
  const slowPlan = (marker: string) => ({
    'infra/main.tf': `locals {\n  big = length(flatten([for i in range(256) : [for j in range(256) : "${marker}-\${i}-\${j}"]]))\n}\nresource "terraform_data" "x" {\n  input = local.big\n}\n`,
  });
  const runIds: string[] = [];
  for (const branch of ['feature/a', 'feature/b']) {
    const commit = source.add(commitOf(++commits), slowPlan(branch));
    const payload = refsChanged({ projectKey: 'PLAT', slug: 'network' }, [{ branch, toHash: commit }]);
    const pushed = await server.send(signedDelivery(integration.id, integration.webhookSecret, 'repo:refs_changed', payload));
    runIds.push((pushed.body as { runs: { id: string }[] }).runs[0]?.id as string);
  }
  const planning = await Promise.all(runIds.map((runId) => waitForRun(server, stackId, runId, (run) => run.state === 'PLANNING' || ended(run))));
  // Both reached PLANNING before either ended: they overlap.
  const running = await Promise.all(runIds.map((runId) => server.request('GET', `/api/v1/stacks/${stackId}/runs/${runId}`)));
  expect(planning.map((run) => run.state)).toEqual(['PLANNING', 'PLANNING']);
  expect(running.map((answer) => answer.body.state)).toEqual(['PLANNING', 'PLANNING']);
  for (const runId of runIds) await server.request('POST', `/api/v1/stacks/${stackId}/runs/${runId}/cancel`, {});
  await Promise.all(runIds.map((runId) => waitForRun(server, stackId, runId, ended)));
});
