import { HANDLED_EVENTS } from '../../../src/domain/webhook-events';
import { startEmulator, type RunningEmulator } from '../../../src/emulator';
import { TestControlPlane } from '../harness';

/**
 * The receiver against the Bitbucket DC emulator's real deliveries (headers, signing, payload shapes, real commits)
 * and its real REST (the changed files of a push): every rule of SPEC §1's triggering, end to end.
 */
const server = new TestControlPlane('pglite');
let emulator: RunningEmulator;
let integration: { id: string; webhookSecret: string };
/** `net` has project root `net`; `all` has none; both track main of PLAT/network. */
const stacks: Record<'net' | 'all', string> = { net: '', all: '' };
let webhookId: number;
let receiverUrl: string;

beforeAll(async () => {
  await server.start();
  await server.reset();
  emulator = await startEmulator({ port: 0 });
  emulator.createProject('PLAT');
  emulator.createRepository('PLAT', 'network', { defaultBranch: 'main' });
  const account = emulator.createUser({ name: 'svc-liftgate', repositoryPermissions: { 'PLAT/network': 'REPO_ADMIN' } });
  integration = await server.createIntegration({ name: 'Emulated Bitbucket', apiHost: emulator.url, username: 'svc-liftgate', accessToken: account.token });
  for (const [name, projectRoot] of [['net', 'net'], ['all', '']] as const) {
    stacks[name] = (await server.createStack({ name, vcs: { integrationId: integration.id, projectKey: 'PLAT', repositorySlug: 'network', branch: 'main', projectRoot } })).id;
  }
  receiverUrl = `${await server.listen()}/webhooks/bitbucket-datacenter/${integration.id}`;
  const response = await fetch(`${emulator.url}/rest/api/latest/projects/PLAT/repos/network/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${emulator.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'liftgate', url: receiverUrl, active: true, events: HANDLED_EVENTS, configuration: { secret: integration.webhookSecret } }),
  });
  expect(response.ok).toBe(true);
  webhookId = ((await response.json()) as { id: number }).id;
  // The first push creates main: a new branch has nothing to compare with, so both stacks run (noted for `net`).
  await emulator.push('PLAT', 'network', { branch: 'main', files: { 'net/main.tf': 'locals {}\n', 'README.md': '# network\n' } });
}, 60_000);

afterAll(async () => {
  await emulator?.close();
  await server.stop();
});

async function runs(stack: 'net' | 'all'): Promise<any[]> {
  return (await server.request('GET', `/api/v1/stacks/${stacks[stack]}/runs`)).body;
}

async function runsOf(stack: 'net' | 'all', commit: string): Promise<any[]> {
  return (await runs(stack)).filter((run) => run.commit === commit);
}

async function testConnection(signed: boolean): Promise<number> {
  const response = await fetch(`${emulator.url}/rest/api/latest/projects/PLAT/repos/network/webhooks/test?${signed ? `webhookId=${webhookId}` : `url=${encodeURIComponent(receiverUrl)}`}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${emulator.adminToken}`, 'content-type': 'application/json' },
    body: '{}',
  });
  return ((await response.json()) as { response: { statusCode: number } }).response.statusCode;
}

describe('deliveries from the Bitbucket DC emulator (SPEC §1 triggering)', () => {
  it('answers "Test connection" with 200 whether the ping is signed or not; a badly signed ping is 401', async () => {
    expect(await testConnection(true)).toBe(200);
    expect(await testConnection(false)).toBe(200);
    const badlySigned = await fetch(receiverUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-event-key': 'diagnostics:ping', 'x-hub-signature': `sha256=${'0'.repeat(64)}` },
      body: '{"test":true}',
    });
    expect(badlySigned.status).toBe(401);
  });

  it('a new branch runs every stack, noting that its changed files could not be compared', async () => {
    const [net] = await runs('net');
    expect(net).toMatchObject({ kind: 'TRACKED', branch: 'main', note: expect.stringContaining('created the branch') });
    expect((await runs('all'))[0]).toMatchObject({ kind: 'TRACKED', note: null });
  });

  it('a push touching only files outside the project root starts nothing there; a push into it starts one run', async () => {
    const outside = await emulator.push('PLAT', 'network', { branch: 'main', files: { 'README.md': '# network, again\n' } });
    expect(await runsOf('net', outside.commit)).toEqual([]);
    expect(await runsOf('all', outside.commit)).toHaveLength(1);
    const inside = await emulator.push('PLAT', 'network', { branch: 'main', files: { 'net/vpc.tf': 'locals {}\n' } });
    expect(await runsOf('net', inside.commit)).toMatchObject([{ kind: 'TRACKED', trigger: 'repo:refs_changed', note: null }]);
  });

  it('a push and a pr:opened of the same commit make one PROPOSED run, which the pull request is linked to', async () => {
    const pushed = await emulator.push('PLAT', 'network', { branch: 'feature/subnet', files: { 'net/subnet.tf': 'locals {}\n' } });
    const opened = await emulator.openPullRequest('PLAT', 'network', { fromBranch: 'feature/subnet', toBranch: 'main', title: 'Subnet' });
    expect(opened.deliveries.map((delivery) => delivery.statusCode)).toEqual([200]);
    const proposed = await runsOf('net', pushed.commit);
    expect(proposed).toMatchObject([{ kind: 'PROPOSED', trigger: 'repo:refs_changed', pullRequestId: opened.pullRequest.id }]);
  });

  it('approvals, unapprovals, merges and ordinary comments start nothing; /liftgate plan re-plans', async () => {
    const pushed = await emulator.push('PLAT', 'network', { branch: 'feature/quiet', files: { 'net/quiet.tf': 'locals {}\n' } });
    const { pullRequest } = await emulator.openPullRequest('PLAT', 'network', { fromBranch: 'feature/quiet', toBranch: 'main', title: 'Quiet' });
    const before = (await runs('net')).length;
    for (const action of ['approve', 'unapprove', 'comment']) {
      const outcome = await emulator.pullRequestEvent('PLAT', 'network', pullRequest.id, action, { text: 'looks good' });
      expect(outcome.deliveries.map((delivery) => delivery.statusCode)).toEqual([200]);
    }
    expect((await runs('net')).length).toBe(before);

    await emulator.pullRequestEvent('PLAT', 'network', pullRequest.id, 'comment', { text: '/liftgate plan' });
    const replans = (await runsOf('net', pushed.commit)).filter((run) => run.trigger === 'pr:comment:added');
    expect(replans).toMatchObject([{ kind: 'PROPOSED', pullRequestId: pullRequest.id }]);

    const merged = await emulator.pullRequestEvent('PLAT', 'network', pullRequest.id, 'merge');
    expect(merged.events).toEqual(['pr:merged', 'repo:refs_changed']);
    const log = (await server.request('GET', `/api/v1/integrations/bitbucket-datacenter/${integration.id}/deliveries`)).body as any[];
    expect(log.find((entry) => entry.eventKey === 'pr:merged')).toMatchObject({ outcome: 'TRIGGERED', runIds: [], reason: expect.stringContaining('starts no run') });
    // The merge's push to main (it brings net/quiet.tf) is what runs the tracked branch.
    expect((await runs('net'))[0]).toMatchObject({ kind: 'TRACKED', branch: 'main', trigger: 'repo:refs_changed', note: null });
  });

  it("a second push to a pull request's branch cancels the first PROPOSED run, naming the newer one", async () => {
    const first = await emulator.push('PLAT', 'network', { branch: 'feature/twice', files: { 'net/twice.tf': 'locals { n = 1 }\n' } });
    await emulator.openPullRequest('PLAT', 'network', { fromBranch: 'feature/twice', toBranch: 'main', title: 'Twice' });
    const second = await emulator.push('PLAT', 'network', { branch: 'feature/twice', files: { 'net/twice.tf': 'locals { n = 2 }\n' } });
    const [newer] = await runsOf('net', second.commit);
    expect(newer).toMatchObject({ kind: 'PROPOSED', state: 'QUEUED' });
    expect(await runsOf('net', first.commit)).toMatchObject([{ state: 'CANCELED', failure: expect.stringContaining(newer.id) }]);
  });

  it('a failing or hanging Bitbucket never delays the answer past the deadline: the run starts, noted', async () => {
    emulator.setFaults({ rate: 1, status: 500, phase: 'before' });
    try {
      const failing = await emulator.push('PLAT', 'network', { branch: 'main', files: { 'docs/a.md': 'a\n' } });
      expect(failing.deliveries.map((delivery) => delivery.statusCode)).toEqual([200]);
      expect(await runsOf('net', failing.commit)).toMatchObject([{ kind: 'TRACKED', note: expect.stringContaining('could not list the changed files') }]);
    } finally {
      emulator.setFaults(null);
    }
    emulator.setFaults({ rate: 1, hang: true, phase: 'before' });
    try {
      const started = Date.now();
      const hanging = await emulator.push('PLAT', 'network', { branch: 'main', files: { 'docs/b.md': 'b\n' } });
      expect(hanging.deliveries.map((delivery) => delivery.statusCode)).toEqual([200]);
      expect(Date.now() - started).toBeLessThan(8_000);
      expect(await runsOf('net', hanging.commit)).toMatchObject([{ kind: 'TRACKED', note: expect.stringContaining('within 3 s') }]);
    } finally {
      emulator.setFaults(null);
    }
  });
});
