import { BitbucketClient, type BitbucketRequestEvent } from '../../src/clients/bitbucket';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { call, type RequestOptions } from '../emulator/http';
import { bitbucketContract, documentedStatuses, expectRequestBodyToMatchSpec, expectResponseToMatchSpec, expectToMatchComponentSchema } from './openapi';

/**
 * The repository content, pull-request, comment and build-status paths, validated against Atlassian's OpenAPI
 * document: every status the emulator answers is documented for the operation and every JSON body matches its schema;
 * every body the client sends matches the operation's request schema.
 */
let emulator: RunningEmulator;
let reader: string;
let main: string;
let feature: string;
let pullRequestId: number;
const repo = '/rest/api/latest/projects/PRJ/repos/app';

async function exchange(method: string, path: string, status: number, options: RequestOptions = {}) {
  if (status < 300 && options.body !== undefined && typeof options.body === 'object') expectRequestBodyToMatchSpec(method, path, options.body);
  const response = await call(emulator, method, path, options);
  expect({ path, status: response.status, body: response.body }).toMatchObject({ status });
  const contentType = response.headers.get('content-type') ?? '';
  // Archives and raw files are not JSON: only their status (and for archives the content type) is documented.
  const json = contentType.includes('json');
  expectResponseToMatchSpec(method, path, response.status, json || response.status === 204 || path.includes('/raw/') ? response.body : undefined);
  return response;
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  emulator.createProject('PRJ');
  emulator.createRepository('PRJ', 'app');
  reader = emulator.createUser({ name: 'reader', repositoryPermissions: { 'PRJ/app': 'REPO_READ' } }).token!;
  main = (await emulator.push('PRJ', 'app', { branch: 'main', files: { 'infra/main.tf': 'locals {}\n', 'README.md': '# app\n' } })).commit;
  feature = (await emulator.push('PRJ', 'app', { branch: 'feature', files: { 'infra/net.tf': 'locals {}\n' } })).commit;
  pullRequestId = (await emulator.openPullRequest('PRJ', 'app', { fromBranch: 'feature', toBranch: 'main', title: 'Net' })).pullRequest.id;
});
afterAll(() => emulator.close());

test('archive, raw and browse', async () => {
  const documented = ['application/octet-stream', 'application/x-tar'];
  for (const format of ['zip', 'tar', 'tar.gz', 'tgz']) {
    const archive = await exchange('GET', `${repo}/archive?at=${main}&format=${format}&prefix=app&path=infra`, 200, { token: reader });
    expect(documented).toContain((archive.headers.get('content-type') ?? '').split(';')[0]);
  }
  await exchange('GET', `${repo}/archive?at=${main}&format=7z`, 400);
  await exchange('GET', `${repo}/archive?at=${'9'.repeat(40)}`, 404);
  await exchange('GET', `${repo}/archive`, 401, { token: null });
  await exchange('GET', `${repo}/raw/infra/main.tf?at=${main}`, 200, { token: reader });
  await exchange('GET', `${repo}/raw/nothing.tf?at=${main}`, 404);
  await exchange('GET', `${repo}/browse?at=${main}`, 200);
  await exchange('GET', `${repo}/browse/infra/main.tf?at=${main}`, 200);
  await exchange('GET', `${repo}/browse/nothing?at=${main}`, 404);
});

test('commits, changes, compare and branches', async () => {
  const commit = await exchange('GET', `${repo}/commits/${feature}`, 200, { token: reader });
  expectToMatchComponentSchema('RestCommit', commit.body);
  await exchange('GET', `${repo}/commits/${'9'.repeat(40)}`, 404);
  const commits = await exchange('GET', `${repo}/commits?until=${feature}&since=${main}`, 200);
  expect((commits.body as { values: unknown[] }).values).toHaveLength(1);
  await exchange('GET', `${repo}/commits?until=refs/heads/nope`, 404);
  const changes = await exchange('GET', `${repo}/commits/${feature}/changes?since=${main}`, 200);
  for (const change of (changes.body as { values: unknown[] }).values) expectToMatchComponentSchema('RestChange', change);
  await exchange('GET', `${repo}/commits/${'9'.repeat(40)}/changes`, 404);
  await exchange('GET', `${repo}/compare/changes?from=refs/heads/feature&to=refs/heads/main`, 200);
  await exchange('GET', `${repo}/compare/changes?from=refs/heads/none&to=refs/heads/main`, 404);
  const branches = await exchange('GET', `${repo}/branches?filterText=ma`, 200);
  for (const branch of (branches.body as { values: unknown[] }).values) expectToMatchComponentSchema('RestBranch', branch);
  await exchange('GET', `${repo}/branches`, 401, { token: null });
  await exchange('GET', `${repo}/default-branch`, 200);
  await exchange('GET', `${repo}/branches/default`, 200);
});

test('pull requests, activities and the pull requests of a commit', async () => {
  const listed = await exchange('GET', `${repo}/pull-requests?at=refs/heads/main&state=OPEN&direction=INCOMING`, 200, { token: reader });
  for (const pullRequest of (listed.body as { values: unknown[] }).values) expectToMatchComponentSchema('RestPullRequest', pullRequest);
  await exchange('GET', `${repo}/pull-requests?state=SOMETIMES`, 400);
  await exchange('GET', `${repo}/pull-requests/${pullRequestId}`, 200);
  await exchange('GET', `${repo}/pull-requests/404`, 404);
  await exchange('GET', `${repo}/pull-requests/${pullRequestId}/activities`, 200);
  await exchange('GET', `${repo}/commits/${feature}/pull-requests`, 200);
  await exchange('GET', `${repo}/commits/${'9'.repeat(40)}/pull-requests`, 404);
});

test('comments: create, get, update, stale version, too long, delete', async () => {
  const path = `${repo}/pull-requests/${pullRequestId}/comments`;
  const created = (await exchange('POST', path, 201, { token: reader, body: { text: 'Plan: +1' } })).body as { id: number; version: number };
  expectToMatchComponentSchema('RestComment', created);
  await exchange('GET', `${path}/${created.id}`, 200);
  await exchange('PUT', `${path}/${created.id}`, 200, { token: reader, body: { text: 'Plan: +2', version: created.version } });
  await exchange('PUT', `${path}/${created.id}`, 409, { token: reader, body: { text: 'late', version: created.version } });
  await exchange('POST', path, 400, { body: { text: 'x'.repeat(32_769) } });
  await exchange('DELETE', `${path}/${created.id}?version=0`, 409, { token: reader });
  await exchange('DELETE', `${path}/${created.id}?version=1`, 204, { token: reader });
  await exchange('GET', `${path}/${created.id}`, 404);
});

test('build statuses: repository-scoped set, get, delete and the deprecated listing', async () => {
  const path = `${repo}/commits/${feature}/builds`;
  const status = { key: 'liftgate/s1/proposed', parent: 'liftgate/s1', name: 'Liftgate · s1 (proposed)', state: 'SUCCESSFUL', url: 'https://liftgate.example/runs/1', ref: 'refs/heads/feature', description: '+1 ~0 -0', duration: 1000 };
  await exchange('POST', path, 204, { token: reader, body: status });
  await exchange('POST', path, 400, { body: { ...status, state: 'GREEN' } });
  await exchange('POST', `${repo}/commits/${'9'.repeat(40)}/builds`, 404, { body: status });
  const read = await exchange('GET', `${path}?key=${encodeURIComponent(status.key)}`, 200, { token: reader });
  expectToMatchComponentSchema('RestBuildStatus', read.body);
  await exchange('GET', `${path}?key=none`, 404);
  await exchange('DELETE', `${path}?key=${encodeURIComponent(status.key)}`, 401, { token: reader });
  await exchange('POST', path, 204, { body: status });
  const legacy = await exchange('GET', `/rest/build-status/1.0/commits/${feature}`, 200, { token: reader });
  expect((legacy.body as { values: unknown[] }).values).toHaveLength(1);
  await exchange('DELETE', `${path}?key=${encodeURIComponent(status.key)}`, 204);
});

test("the client's content, comment and build-status calls send documented bodies and get documented statuses", async () => {
  const events: BitbucketRequestEvent[] = [];
  const client = new BitbucketClient({ baseUrl: emulator.url, token: reader, onRequest: (event) => events.push(event) });
  try {
    const answer = await client.content.archive('PRJ', 'app', { commit: main, maxBytes: 1 << 20 });
    answer.body.resume();
    await client.content.raw('PRJ', 'app', 'README.md', { commit: main });
    await client.content.commit('PRJ', 'app', main);
    await client.content.commits('PRJ', 'app', { until: feature }).toArray();
    await client.content.changes('PRJ', 'app', feature, { since: main }).toArray();
    await client.content.compareChanges('PRJ', 'app', { from: 'feature', to: 'main' }).toArray();
    await client.content.branchHead('PRJ', 'app', 'main');
    await client.content.defaultBranch('PRJ', 'app');
    await client.pullRequests.list('PRJ', 'app', { at: 'main' }).toArray();
    await client.pullRequests.openContaining('PRJ', 'app', feature, 'main');
    await client.pullRequests.activities('PRJ', 'app', pullRequestId).toArray();
    const comment = await client.pullRequests.upsertComment('PRJ', 'app', pullRequestId, { existing: null, text: 'planning', link: 'https://l/r' });
    await client.pullRequests.upsertComment('PRJ', 'app', pullRequestId, { existing: comment, text: 'planned', link: 'https://l/r' });
    await client.buildStatuses.report({ projectKey: 'PRJ', repositorySlug: 'app', commit: feature, stackId: 's2', stackName: 'two', kind: 'PROPOSED', runState: 'PLANNING', branch: 'feature', url: 'https://l/r' });
    await client.buildStatuses.get('PRJ', 'app', feature, 'liftgate/s2/proposed');
    await client.buildStatuses.ofCommit(feature).toArray();
  } finally {
    client.close();
  }
  for (const event of events) {
    expect(documentedStatuses(event.method, event.url)).toContain(String(event.status));
    if (event.body !== undefined) expectRequestBodyToMatchSpec(event.method, event.url, event.body);
  }
  const operations = new Set(events.map((event) => bitbucketContract().operation(event.method, event.url).operation.operationId));
  for (const operationId of ['getArchive', 'streamRaw', 'getCommit', 'getCommits', 'getChanges', 'streamChanges', 'getBranches', 'getDefaultBranch_2', 'getPage', 'getPullRequests', 'getActivities', 'createComment_2', 'updateComment_2', 'add', 'get']) {
    expect(operations).toContain(operationId);
  }
});
