import { HANDLED_EVENTS } from '../../../src/domain/webhook-events';
import { startEmulator, type RunningEmulator } from '../../../src/emulator';
import { TestControlPlane } from '../harness';

/**
 * The receiver against the Bitbucket DC emulator's real deliveries (headers, signing, payload shapes as the
 * emulator produces them): every event the emulator can simulate ends in the run the spec asks for.
 */
const server = new TestControlPlane('pglite');
let emulator: RunningEmulator;
let integration: { id: string; webhookSecret: string };
let stackId: string;
let webhookId: number;

beforeAll(async () => {
  await server.start();
  await server.reset();
  emulator = await startEmulator({ port: 0 });
  emulator.createProject('PLAT');
  emulator.createRepository('PLAT', 'network', { defaultBranch: 'main' });
  integration = await server.createIntegration({ name: 'Emulated Bitbucket' });
  stackId = (await server.createStack({ name: 'prod', vcs: { integrationId: integration.id, projectKey: 'PLAT', repositorySlug: 'network', branch: 'main' } })).id;
  const response = await fetch(`${emulator.url}/rest/api/latest/projects/PLAT/repos/network/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${emulator.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'liftgate',
      url: `${await server.listen()}/webhooks/bitbucket-datacenter/${integration.id}`,
      active: true,
      events: HANDLED_EVENTS,
      configuration: { secret: integration.webhookSecret },
    }),
  });
  expect(response.ok).toBe(true);
  webhookId = ((await response.json()) as { id: number }).id;
}, 60_000);

afterAll(async () => {
  await emulator?.close();
  await server.stop();
});

async function runs(): Promise<any[]> {
  return (await server.request('GET', `/api/v1/stacks/${stackId}/runs`)).body;
}

describe('deliveries from the Bitbucket DC emulator', () => {
  it('answers the emulator’s signed "Test connection" ping with 200', async () => {
    const response = await fetch(`${emulator.url}/rest/api/latest/projects/PLAT/repos/network/webhooks/test?webhookId=${webhookId}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emulator.adminToken}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(((await response.json()) as { response: { statusCode: number } }).response.statusCode).toBe(200);
  });

  it('turns a push to the tracked branch into a TRACKED run and a push elsewhere into a PROPOSED one', async () => {
    const main = await emulator.push('PLAT', 'network', { branch: 'main', files: { 'main.tf': 'locals {}\n' } });
    const feature = await emulator.push('PLAT', 'network', { branch: 'feature/subnet', files: { 'subnet.tf': 'locals {}\n' } });
    for (const outcome of [main, feature]) {
      expect(outcome.deliveries.map((delivery) => [delivery.event, delivery.statusCode, delivery.signed])).toEqual([['repo:refs_changed', 200, true]]);
    }
    expect((await runs()).slice(0, 2).map((run) => [run.kind, run.branch, run.commit])).toEqual([
      ['PROPOSED', 'feature/subnet', feature.commit],
      ['TRACKED', 'main', main.commit],
    ]);
  });

  it('makes one PROPOSED run per source commit however many pushes and pull-request events carry it (SPEC §1)', async () => {
    const opened = await emulator.openPullRequest('PLAT', 'network', { fromBranch: 'feature/subnet', toBranch: 'main', title: 'Widen the subnet' });
    const pullRequestId = opened.pullRequest.id;
    const outcomes = [opened];
    for (const action of ['update', 'modify', 'approve', 'unapprove', 'comment']) {
      outcomes.push(await emulator.pullRequestEvent('PLAT', 'network', pullRequestId, action, { text: 'looks good', title: 'Widen the subnet to /20' }));
    }
    // A "/liftgate plan" comment re-plans the pull request's commit although its run exists.
    const replan = await emulator.pullRequestEvent('PLAT', 'network', pullRequestId, 'comment', { text: '/liftgate plan' });
    expect((await runs()).filter((run) => run.trigger === 'pr:comment:added')).toMatchObject([
      { kind: 'PROPOSED', pullRequestId, deliveryId: expect.any(String) },
    ]);
    outcomes.push(replan, await emulator.pullRequestEvent('PLAT', 'network', pullRequestId, 'merge'));
    const deliveries = outcomes.flatMap((outcome) => outcome.deliveries);
    expect(deliveries.every((delivery) => delivery.statusCode === 200)).toBe(true);
    const events = deliveries.map((delivery) => delivery.event);
    for (const eventKey of ['pr:opened', 'pr:from_ref_updated', 'pr:modified', 'pr:reviewer:approved', 'pr:reviewer:unapproved', 'pr:comment:added', 'pr:merged']) {
      expect(events).toContain(eventKey);
    }
    // The feature branch had two commits: the one pushed before the pull request was opened (its pr:opened found
    // that run), and the update's (a push, then pr:from_ref_updated, modify, approvals and a comment of it); the
    // re-plan is the one more.
    const proposed = (await runs()).filter((run) => run.kind === 'PROPOSED' && run.branch === 'feature/subnet');
    expect(proposed.map((run) => run.trigger)).toEqual(['pr:comment:added', 'repo:refs_changed', 'repo:refs_changed']);
    expect(new Set(proposed.map((run) => run.commit)).size).toBe(2);
    const log = (await server.request('GET', `/api/v1/integrations/bitbucket-datacenter/${integration.id}/deliveries`)).body as any[];
    expect(log.find((entry) => entry.eventKey === 'pr:opened')).toMatchObject({ outcome: 'TRIGGERED', runIds: [] });
    expect(log.find((entry) => entry.eventKey === 'pr:opened').reason).toContain('not queued again');
    // The merge also moved main: Bitbucket (and the emulator) send repo:refs_changed for it.
    expect((await runs()).filter((run) => run.trigger === 'repo:refs_changed' && run.branch === 'main' && run.kind === 'TRACKED').length).toBeGreaterThanOrEqual(2);
  });
});
