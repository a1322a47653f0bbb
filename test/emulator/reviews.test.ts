import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { call } from './http';

let emulator: RunningEmulator;
let bot: { token: string };
let other: { token: string };
let main: string;
let feature: string;
let pullRequestId: number;
const REPO = '/rest/api/latest/projects/PRJ/repos/infra';

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  emulator.createProject('PRJ');
  emulator.createRepository('PRJ', 'infra');
  bot = emulator.createUser({ name: 'liftgate-bot', repositoryPermissions: { 'PRJ/infra': 'REPO_READ' } }) as { token: string };
  other = emulator.createUser({ name: 'colleague', repositoryPermissions: { 'PRJ/infra': 'REPO_READ' } }) as { token: string };
  main = (await emulator.push('PRJ', 'infra', { branch: 'main', files: { 'main.tf': 'locals {}\n' } })).commit;
  feature = (await emulator.push('PRJ', 'infra', { branch: 'feature', files: { 'net.tf': 'locals {}\n' } })).commit;
  pullRequestId = (await emulator.openPullRequest('PRJ', 'infra', { fromBranch: 'feature', toBranch: 'main', title: 'Network' })).pullRequest.id;
});
afterAll(() => emulator.close());

const as = (token: string | null) => ({
  get: (path: string) => call(emulator, 'GET', `${REPO}${path}`, { token }),
  post: (path: string, body: unknown) => call(emulator, 'POST', `${REPO}${path}`, { token, body }),
  put: (path: string, body: unknown) => call(emulator, 'PUT', `${REPO}${path}`, { token, body }),
  delete: (path: string) => call(emulator, 'DELETE', `${REPO}${path}`, { token }),
});

test('pull requests point at real commits, move when their branch is pushed and list by at, state and direction', async () => {
  const { get } = as(bot.token);
  expect((await get(`/pull-requests/${pullRequestId}`)).body).toMatchObject({ fromRef: { latestCommit: feature }, toRef: { latestCommit: main } });
  expect((await get(`/commits/${feature}/pull-requests`)).body).toMatchObject({ size: 1, values: [{ id: pullRequestId }] });
  expect((await get(`/commits/${main}/pull-requests`)).body).toMatchObject({ size: 0 });

  const pushed = await emulator.push('PRJ', 'infra', { branch: 'feature', files: { 'net.tf': 'locals { a = 1 }\n' } });
  expect(pushed.events).toEqual(['repo:refs_changed', 'pr:from_ref_updated']);
  feature = pushed.commit;
  expect((await get(`/pull-requests/${pullRequestId}`)).body).toMatchObject({ fromRef: { latestCommit: feature } });
  expect((await get(`/commits/${feature}/pull-requests`)).body).toMatchObject({ values: [{ id: pullRequestId }] });

  expect((await get('/pull-requests?at=refs/heads/main')).body).toMatchObject({ size: 1 });
  expect((await get('/pull-requests?at=refs/heads/main&direction=OUTGOING')).body).toMatchObject({ size: 0 });
  expect((await get('/pull-requests?at=refs/heads/feature&direction=OUTGOING')).body).toMatchObject({ size: 1 });
  expect((await get('/pull-requests?state=MERGED')).body).toMatchObject({ size: 0 });
  expect((await get('/pull-requests?state=SIDEWAYS')).status).toBe(400);
  expect((await get('/pull-requests/999')).status).toBe(404);
  const activities = await get(`/pull-requests/${pullRequestId}/activities`);
  expect((activities.body as { values: Array<{ action: string }> }).values.map((activity) => activity.action)).toEqual(['RESCOPED', 'OPENED']);
});

test('comments: created 201, read, updated in place with their version (409 when stale), only by their author, deleted with their version', async () => {
  const { post, get, put, delete: remove } = as(bot.token);
  const created = await post(`/pull-requests/${pullRequestId}/comments`, { text: 'Plan: +1 ~0 -0' });
  expect(created.status).toBe(201);
  const comment = created.body as { id: number; version: number };
  expect(comment).toMatchObject({ version: 0, text: 'Plan: +1 ~0 -0', author: { name: 'liftgate-bot' } });

  const updated = await put(`/pull-requests/${pullRequestId}/comments/${comment.id}`, { text: 'Plan: +2 ~0 -0', version: 0 });
  expect(updated).toMatchObject({ status: 200, body: { version: 1, text: 'Plan: +2 ~0 -0' } });
  const stale = await put(`/pull-requests/${pullRequestId}/comments/${comment.id}`, { text: 'late', version: 0 });
  expect(stale.status).toBe(409);
  expect((await get(`/pull-requests/${pullRequestId}/comments/${comment.id}`)).body).toMatchObject({ version: 1, text: 'Plan: +2 ~0 -0' });
  expect((await as(other.token).put(`/pull-requests/${pullRequestId}/comments/${comment.id}`, { text: 'mine now', version: 1 })).status).toBe(401);

  expect((await post(`/pull-requests/${pullRequestId}/comments`, { text: 'x'.repeat(32_769) })).status).toBe(400);
  expect((await post(`/pull-requests/${pullRequestId}/comments`, { text: 'x'.repeat(32_768) })).status).toBe(201);
  expect((await post(`/pull-requests/${pullRequestId}/comments`, { text: '  ' })).status).toBe(400);

  expect((await remove(`/pull-requests/${pullRequestId}/comments/${comment.id}?version=0`)).status).toBe(409);
  expect((await as(other.token).delete(`/pull-requests/${pullRequestId}/comments/${comment.id}?version=1`)).status).toBe(401);
  expect((await remove(`/pull-requests/${pullRequestId}/comments/${comment.id}?version=1`)).status).toBe(204);
  expect((await get(`/pull-requests/${pullRequestId}/comments/${comment.id}`)).status).toBe(404);
  const actions = ((await get(`/pull-requests/${pullRequestId}/activities?limit=3`)).body as { values: Array<{ action: string; commentAction?: string }> }).values;
  expect(actions.map((activity) => activity.commentAction)).toEqual(['DELETED', 'ADDED', 'EDITED']);
});

test("build statuses: set with Bitbucket's validation, replaced per key, read by key, listed by the deprecated endpoint, deleted by a repository admin", async () => {
  const { post, get, delete: remove } = as(bot.token);
  const status = { key: 'liftgate/stack-1/proposed', parent: 'liftgate/stack-1', state: 'INPROGRESS', url: 'http://liftgate.test/stacks/stack-1/runs/r1', name: 'Liftgate · net (proposed)', ref: 'refs/heads/feature', duration: 5 };
  expect((await post(`/commits/${feature}/builds`, status)).status).toBe(204);
  expect((await post(`/commits/${feature}/builds`, { ...status, state: 'SUCCESSFUL', description: '+1 ~0 -0' })).status).toBe(204);
  const read = await get(`/commits/${feature}/builds?key=${encodeURIComponent(status.key)}`);
  expect(read).toMatchObject({ status: 200, body: { key: status.key, state: 'SUCCESSFUL', parent: 'liftgate/stack-1', ref: 'refs/heads/feature', projectKey: 'PRJ', repositorySlug: 'infra' } });

  for (const [change, field] of [
    [{ key: 'k'.repeat(256) }, 'key'],
    [{ key: ' ' }, 'key'],
    [{ url: 'u'.repeat(451) }, 'url'],
    [{ state: 'GREEN' }, 'state'],
    [{ ref: 'feature' }, 'ref'],
  ] as const) {
    const refused = await post(`/commits/${feature}/builds`, { ...status, ...change });
    expect({ field, status: refused.status }).toEqual({ field, status: 400 });
  }
  expect((await post(`/commits/${'d'.repeat(40)}/builds`, status)).status).toBe(404);
  expect((await get(`/commits/${feature}/builds?key=unknown`)).status).toBe(404);

  const legacy = await call(emulator, 'GET', `/rest/build-status/1.0/commits/${feature}`, { token: bot.token });
  expect(legacy.body).toMatchObject({ size: 1, values: [{ key: status.key, state: 'SUCCESSFUL' }] });
  expect((await call(emulator, 'GET', '/rest/build-status/1.0/commits/abc', { token: bot.token })).status).toBe(400);

  expect((await remove(`/commits/${feature}/builds?key=${encodeURIComponent(status.key)}`)).status).toBe(401);
  expect((await as(emulator.adminToken).delete(`/commits/${feature}/builds?key=${encodeURIComponent(status.key)}`)).status).toBe(204);
  expect((await get(`/commits/${feature}/builds?key=${encodeURIComponent(status.key)}`)).status).toBe(404);
});

test('a merge makes a merge commit with both parents on the target and the pull request becomes MERGED', async () => {
  const merged = await emulator.pullRequestEvent('PRJ', 'infra', pullRequestId, 'merge');
  expect(merged.events).toEqual(['pr:merged', 'repo:refs_changed']);
  const { get } = as(bot.token);
  const head = ((await get('/branches?filterText=main')).body as { values: Array<{ latestCommit: string }> }).values[0]!.latestCommit;
  expect((await get(`/commits/${head}`)).body).toMatchObject({ parents: [{ id: main }, { id: feature }] });
  expect((await get(`/raw/net.tf?at=${head}`)).text).toBe('locals { a = 1 }\n');
  expect((await get('/pull-requests?state=MERGED')).body).toMatchObject({ size: 1 });
});
