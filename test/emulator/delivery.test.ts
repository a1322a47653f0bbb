import { HANDLED_EVENTS } from '../../src/domain/webhook-events';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { call } from './http';
import { signatureIsValid, WebhookReceiver } from './receiver';

const SECRET = 'webhook-secret-0123456789';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let emulator: RunningEmulator;
let receiver: WebhookReceiver;
let receiverUrl: string;

beforeEach(async () => {
  receiver = new WebhookReceiver();
  receiverUrl = await receiver.start();
  emulator = await startEmulator({ port: 0 });
  emulator.createProject('PRJ');
  emulator.createRepository('PRJ', 'infra');
  emulator.createUser({ name: 'reviewer', repositoryPermissions: { 'PRJ/infra': 'REPO_WRITE' } });
});

afterEach(async () => {
  await emulator.close();
  await receiver.stop();
});

async function createWebhook(scope: 'repository' | 'project', body: Record<string, unknown>) {
  const path =
    scope === 'repository'
      ? '/rest/api/latest/projects/PRJ/repos/infra/webhooks'
      : '/rest/api/latest/projects/PRJ/webhooks';
  const response = await call(emulator, 'POST', path, {
    body: { name: 'liftgate', url: `${receiverUrl}/${scope}`, events: HANDLED_EVENTS, active: true, ...body },
  });
  expect(response.status).toBe(200);
  return response.body as { id: number };
}

function emulatorPost(path: string, body: unknown) {
  return call(emulator, 'POST', `/_emulator/projects/PRJ/repos/infra${path}`, { body });
}

test('every event is delivered signed, with Bitbucket headers and payload shape, through the /_emulator/ endpoints', async () => {
  const webhook = await createWebhook('repository', { configuration: { secret: SECRET } });

  const push = await emulatorPost('/push', { branch: 'main', files: { 'main.tf': 'terraform {}\n' } });
  expect(push.status).toBe(200);
  const mainHead = (push.body as { commit: string }).commit;
  expect((await emulatorPost('/push', { branch: 'feature/x', files: { 'x.tf': '# x\n' } })).status).toBe(200);
  const opened = await emulatorPost('/pull-requests', { fromBranch: 'feature/x', toBranch: 'main', title: 'Add x' });
  expect(opened.status).toBe(201);
  const id = (opened.body as { pullRequest: { id: number } }).pullRequest.id;
  for (const [action, body] of [
    ['update', { files: { 'x.tf': '# x, second try\n' }, message: 'Second try' }],
    ['modify', { title: 'Add x and y' }],
    ['approve', { user: 'reviewer' }],
    ['unapprove', { user: 'reviewer' }],
    ['comment', { text: 'looks good' }],
    ['merge', {}],
  ] as const) {
    const response = await emulatorPost(`/pull-requests/${id}/${action}`, body);
    expect({ action, status: response.status }).toEqual({ action, status: 200 });
    const results = (response.body as { deliveries: Array<{ outcome: string; webhookId: number; signed: boolean }> }).deliveries;
    expect(results.length).toBeGreaterThan(0);
    for (const result of results) expect(result).toMatchObject({ outcome: 'SUCCESS', webhookId: webhook.id, signed: true });
  }

  const keys = receiver.deliveries.map((delivery) => delivery.headers['x-event-key']);
  // update and merge move branches, which Bitbucket also reports as pushes.
  expect(keys).toEqual([
    'repo:refs_changed',
    'repo:refs_changed',
    'pr:opened',
    'repo:refs_changed',
    'pr:from_ref_updated',
    'pr:modified',
    'pr:reviewer:approved',
    'pr:reviewer:unapproved',
    'pr:comment:added',
    'pr:merged',
    'repo:refs_changed',
  ]);
  const requestIds = new Set<string>();
  for (const delivery of receiver.deliveries) {
    expect(signatureIsValid(SECRET, delivery)).toBe(true);
    expect(signatureIsValid('another-secret', delivery)).toBe(false);
    expect(delivery.headers['content-type']).toBe('application/json; charset=UTF-8');
    expect(delivery.headers['x-request-id']).toMatch(UUID);
    requestIds.add(delivery.headers['x-request-id'] as string);
    expect(delivery.payload).toMatchObject({
      eventKey: delivery.headers['x-event-key'],
      date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}$/),
      actor: { name: expect.any(String), slug: expect.any(String), type: 'NORMAL' },
    });
  }
  expect(requestIds.size).toBe(receiver.deliveries.length);

  const [firstPush, , prOpened, updatePush, fromRefUpdated, modified, approved, unapproved, comment, merged, mergePush] =
    receiver.deliveries.map((delivery) => delivery.payload);
  expect(firstPush.repository).toMatchObject({ slug: 'infra', scmId: 'git', project: { key: 'PRJ' } });
  expect(firstPush.changes).toEqual([
    {
      ref: { id: 'refs/heads/main', displayId: 'main', type: 'BRANCH' },
      refId: 'refs/heads/main',
      fromHash: '0'.repeat(40),
      toHash: mainHead,
      type: 'ADD',
    },
  ]);
  expect(prOpened.pullRequest).toMatchObject({
    id,
    state: 'OPEN',
    open: true,
    closed: false,
    title: 'Add x',
    fromRef: { id: 'refs/heads/feature/x', displayId: 'feature/x', repository: { slug: 'infra' } },
    toRef: { id: 'refs/heads/main', latestCommit: mainHead },
    author: { role: 'AUTHOR', user: { name: 'admin' } },
  });
  expect(fromRefUpdated.previousFromHash).toBe(prOpened.pullRequest.fromRef.latestCommit);
  expect(fromRefUpdated.pullRequest.fromRef.latestCommit).toBe(updatePush.changes[0].toHash);
  expect(modified).toMatchObject({ previousTitle: 'Add x', pullRequest: { title: 'Add x and y' } });
  expect(approved).toMatchObject({
    actor: { name: 'reviewer' },
    participant: { user: { name: 'reviewer' }, role: 'REVIEWER', approved: true, status: 'APPROVED' },
    previousStatus: 'UNAPPROVED',
  });
  expect(unapproved).toMatchObject({ participant: { approved: false, status: 'UNAPPROVED' }, previousStatus: 'APPROVED' });
  expect(comment.comment).toMatchObject({ text: 'looks good', author: { name: 'admin' } });
  expect(merged.pullRequest).toMatchObject({ state: 'MERGED', closed: true });
  expect(mergePush.changes[0]).toMatchObject({ refId: 'refs/heads/main', fromHash: mainHead, type: 'UPDATE' });

  // A merged pull request cannot change any more.
  const again = await call(emulator, 'POST', `/_emulator/projects/PRJ/repos/infra/pull-requests/${id}/merge`);
  expect(again.status).toBe(409);
});

test('project webhooks fire for every repository of the project; inactive and unsubscribed webhooks do not', async () => {
  emulator.createRepository('PRJ', 'second');
  await createWebhook('project', { configuration: { secret: SECRET } });
  await createWebhook('repository', { active: false });
  await createWebhook('repository', { events: ['pr:merged'] });

  await emulator.push('PRJ', 'infra', { branch: 'main' });
  await emulator.push('PRJ', 'second', { branch: 'develop' });
  expect(receiver.deliveries.map((delivery) => [delivery.path, delivery.payload.repository.slug])).toEqual([
    ['/project', 'infra'],
    ['/project', 'second'],
  ]);
  expect(receiver.deliveries[1]!.payload.changes[0]).toMatchObject({
    type: 'ADD',
    fromHash: '0'.repeat(40),
    ref: { displayId: 'develop' },
  });
  for (const delivery of receiver.deliveries) expect(signatureIsValid(SECRET, delivery)).toBe(true);

  const deleted = await emulator.push('PRJ', 'second', { branch: 'develop', commit: '0'.repeat(40) });
  expect(deleted.change).toMatchObject({ type: 'DELETE', toHash: '0'.repeat(40) });
  expect(receiver.deliveries[2]!.payload.changes[0]).toMatchObject({ type: 'DELETE', toHash: '0'.repeat(40) });
});

test('a webhook without a secret gets no signature; credentials are sent as Basic auth', async () => {
  await createWebhook('repository', { credentials: { username: 'hook', password: 'pw' } });
  await emulator.push('PRJ', 'infra', { branch: 'main' });
  const [delivery] = receiver.deliveries;
  expect(delivery!.headers['x-hub-signature']).toBeUndefined();
  expect(delivery!.headers.authorization).toBe(`Basic ${Buffer.from('hook:pw').toString('base64')}`);
});

test('failures and timeouts are recorded for latest and statistics and returned by the /_emulator/ call', async () => {
  const webhook = await createWebhook('repository', { configuration: { secret: SECRET } });
  const base = `/rest/api/latest/projects/PRJ/repos/infra/webhooks/${webhook.id}`;

  receiver.status = 500;
  const failed = await emulator.push('PRJ', 'infra', { branch: 'main' });
  expect(failed.deliveries[0]).toMatchObject({ outcome: 'FAILURE', statusCode: 500 });

  receiver.hang = true;
  emulator.setDeliveryTimeout(300);
  const timedOut = await emulator.push('PRJ', 'infra', { branch: 'main' });
  expect(timedOut.deliveries[0]).toMatchObject({ outcome: 'ERROR', statusCode: null });
  expect(timedOut.deliveries[0]!.description).toMatch(/Timed out after 300 ms/);

  receiver.hang = false;
  receiver.status = 204;
  await emulator.push('PRJ', 'infra', { branch: 'main' });

  const latest = await call(emulator, 'GET', `${base}/latest`);
  expect(latest.body).toMatchObject({ event: 'repo:refs_changed', result: { outcome: 'SUCCESS' } });
  const latestFailure = await call(emulator, 'GET', `${base}/latest?outcome=FAILURE`);
  expect(latestFailure.body).toMatchObject({ result: { outcome: 'FAILURE', statusCode: 500 } });
  const statistics = await call(emulator, 'GET', `${base}/statistics`);
  expect((statistics.body as { counts: unknown }).counts).toMatchObject({ successes: 1, failures: 1, errors: 1 });
  const listed = await call(emulator, 'GET', '/rest/api/latest/projects/PRJ/repos/infra/webhooks?statistics=true');
  expect((listed.body as { values: Array<{ statistics: { counts: { failures: number } } }> }).values[0]!.statistics.counts.failures).toBe(1);
});

test('the test endpoint sends diagnostics:ping, signed with the stored secret when a webhookId is given', async () => {
  const webhook = await createWebhook('repository', { configuration: { secret: SECRET } });
  const tested = await call(emulator, 'POST', `/rest/api/latest/projects/PRJ/repos/infra/webhooks/test?webhookId=${webhook.id}`);
  expect(tested.status).toBe(200);
  expect(tested.body).toMatchObject({ response: { statusCode: 200, body: 'received' }, request: { url: `${receiverUrl}/repository` } });
  const adHoc = await call(emulator, 'POST', `/rest/api/latest/projects/PRJ/webhooks/test?url=${encodeURIComponent(`${receiverUrl}/ad-hoc`)}`);
  expect(adHoc.status).toBe(200);
  const [signed, unsigned] = receiver.deliveries;
  expect(signed!.headers['x-event-key']).toBe('diagnostics:ping');
  expect(signatureIsValid(SECRET, signed!)).toBe(true);
  expect(unsigned!.path).toBe('/ad-hoc');
  expect(unsigned!.headers['x-hub-signature']).toBeUndefined();

  const unreachable = await call(emulator, 'POST', `/rest/api/latest/projects/PRJ/webhooks/test?url=${encodeURIComponent('http://127.0.0.1:1/')}`);
  expect(unreachable.status).toBe(200);
  expect(unreachable.body).toMatchObject({ exception: { message: expect.stringContaining('ECONNREFUSED') } });
});

test('/_emulator/ endpoints refuse anyone but the admin and bad input gets Bitbucket\'s error shape', async () => {
  const user = emulator.createUser({ name: 'dev', repositoryPermissions: { 'PRJ/infra': 'REPO_ADMIN' } });
  const refused = await call(emulator, 'POST', '/_emulator/projects/PRJ/repos/infra/push', { token: user.token, body: { branch: 'main' } });
  expect(refused.status).toBe(401);
  const anonymous = await call(emulator, 'POST', '/_emulator/projects/PRJ/repos/infra/push', { token: null, body: { branch: 'main' } });
  expect(anonymous.status).toBe(401);
  for (const [path, body, status] of [
    ['/push', { branch: 5 }, 400],
    ['/push', { branch: 'main', commit: 'xyz' }, 400],
    ['/push', { branch: 'main', commit: 'f'.repeat(40) }, 404],
    ['/push', { branch: 'main', files: { '../escape.tf': 'x' } }, 400],
    ['/push', { branch: 'main', files: { 'never-there.tf': null } }, 400],
    ['/push', { branch: 'never-pushed', commit: '0'.repeat(40) }, 400],
    ['/pull-requests', { fromBranch: 'a', toBranch: 'missing', title: 't' }, 400],
    ['/pull-requests/99/merge', {}, 404],
    ['/pull-requests/1/frobnicate', {}, 400],
  ] as const) {
    const response = await call(emulator, 'POST', `/_emulator/projects/PRJ/repos/infra${path}`, { body });
    expect({ path, status: response.status }).toEqual({ path, status });
    expect(response.body).toMatchObject({ errors: [{ message: expect.any(String) }] });
  }
});
