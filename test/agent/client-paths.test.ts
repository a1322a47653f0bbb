/**
 * The agent's allowlist and the Bitbucket client come from different files; this keeps them together: every request
 * the control plane's and its workers' Bitbucket calls make (run against the emulator, on a repository with real
 * content, a pull request and build statuses) must be one the agent forwards, and the client's calls Liftgate never
 * makes stay refused.
 */
import { BitbucketClient, type BitbucketRequestEvent } from '../../src/clients/bitbucket';
import { checkAgentRequest } from '../../src/domain/vcs-agent-allowlist';
import { startEmulator, type RunningEmulator } from '../../src/emulator';

let emulator: RunningEmulator;
let seen: BitbucketRequestEvent[];
let client: BitbucketClient;
let first: string;
let head: string;
let pullRequestId: number;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  emulator.createProject('PLAT');
  emulator.createRepository('PLAT', 'infra', { defaultBranch: 'main' });
  first = (await emulator.push('PLAT', 'infra', { branch: 'main', files: { 'main.tf': 'resource "terraform_data" "a" {}\n', 'modules/net/main.tf': 'output "x" {\n  value = 1\n}\n' } })).commit;
  await emulator.push('PLAT', 'infra', { branch: 'feature', commit: first });
  head = (await emulator.push('PLAT', 'infra', { branch: 'feature', files: { 'main.tf': 'resource "terraform_data" "b" {}\n' } })).commit;
  pullRequestId = (await emulator.openPullRequest('PLAT', 'infra', { fromBranch: 'feature', toBranch: 'main', title: 'Add b' })).pullRequest.id;
});

afterAll(() => emulator.close());

beforeEach(() => {
  seen = [];
  client = new BitbucketClient({ baseUrl: emulator.url, token: emulator.adminToken, onRequest: (event) => seen.push(event) });
});
afterEach(() => client.close());

/** The requests made so far, each with the agent's verdict on it. */
function verdicts(): Array<{ request: string; allowed: boolean }> {
  return seen.map((event) => {
    const url = new URL(event.url);
    return { request: `${event.method} ${url.pathname}`, allowed: checkAgentRequest(event.method, `${url.pathname}${url.search}`).allowed };
  });
}

it('forwards every request of the calls the control plane and its workers make', async () => {
  await client.verifyCredentials();
  await client.repositories.search({ permission: 'REPO_READ' }).toArray();
  await client.repositories.list('PLAT').toArray();
  await client.repositories.get('PLAT', 'infra');
  await client.projects.list().toArray();
  await client.projects.get('PLAT');

  const archive = await client.content.archive('PLAT', 'infra', { commit: head, format: 'tar.gz', maxBytes: 1024 * 1024 });
  let archiveBytes = 0;
  for await (const chunk of archive.body) archiveBytes += (chunk as Buffer).length;
  expect(archiveBytes).toBeGreaterThan(0);
  expect(await client.content.raw('PLAT', 'infra', 'modules/net/main.tf', { commit: first })).toContain('output "x"');
  expect((await client.content.commit('PLAT', 'infra', head)).id).toBe(head);
  expect((await client.content.commits('PLAT', 'infra', { until: head }).toArray()).map((commit) => commit.id)).toContain(first);
  expect((await client.content.changes('PLAT', 'infra', head).toArray()).map((change) => change.path.toString)).toEqual(['main.tf']);
  expect((await client.content.compareChanges('PLAT', 'infra', { from: head, to: first }).toArray()).length).toBeGreaterThan(0);
  expect((await client.content.branches('PLAT', 'infra').toArray()).map((branch) => branch.displayId).sort()).toEqual(['feature', 'main']);
  expect(await client.content.defaultBranch('PLAT', 'infra')).toBe('main');
  expect(await client.content.branchHead('PLAT', 'infra', 'feature')).toBe(head);

  expect((await client.pullRequests.list('PLAT', 'infra', { at: 'main' }).toArray()).map((pr) => pr.id)).toEqual([pullRequestId]);
  expect((await client.pullRequests.get('PLAT', 'infra', pullRequestId)).id).toBe(pullRequestId);
  expect((await client.pullRequests.activities('PLAT', 'infra', pullRequestId).toArray()).length).toBeGreaterThan(0);
  expect((await client.pullRequests.containing('PLAT', 'infra', head).toArray()).map((pr) => pr.id)).toEqual([pullRequestId]);
  expect((await client.pullRequests.openContaining('PLAT', 'infra', head, 'main')).map((pr) => pr.id)).toEqual([pullRequestId]);
  const created = await client.pullRequests.createComment('PLAT', 'infra', pullRequestId, 'plan: +1');
  const read = await client.pullRequests.getComment('PLAT', 'infra', pullRequestId, created.id);
  const updated = await client.pullRequests.updateComment('PLAT', 'infra', pullRequestId, { id: read.id, version: read.version }, 'plan: +2');
  const upserted = await client.pullRequests.upsertComment('PLAT', 'infra', pullRequestId, { existing: { id: updated.id, version: updated.version }, text: 'plan: +3', link: 'https://liftgate.example.com/runs/1' });
  expect(upserted.text).toContain('plan: +3');

  await client.buildStatuses.set('PLAT', 'infra', head, { key: 'liftgate/stack-1/proposed', state: 'INPROGRESS', url: 'https://liftgate.example.com/runs/1' });
  expect((await client.buildStatuses.get('PLAT', 'infra', head, 'liftgate/stack-1/proposed')).state).toBe('INPROGRESS');
  await client.buildStatuses.report({
    projectKey: 'PLAT',
    repositorySlug: 'infra',
    commit: head,
    stackId: 'stack-1',
    stackName: 'infra',
    kind: 'PROPOSED',
    runState: 'FINISHED',
    branch: 'feature',
    url: 'https://liftgate.example.com/runs/1',
  });
  expect((await client.buildStatuses.get('PLAT', 'infra', head, 'liftgate/stack-1/proposed')).state).toBe('SUCCESSFUL');

  // At least one request per call above (28 calls).
  expect(seen.length).toBeGreaterThanOrEqual(28);
  expect(verdicts().filter((verdict) => !verdict.allowed)).toEqual([]);
});

it('refuses the client calls Liftgate never makes: deleting comments and the deprecated build-status listing', async () => {
  const comment = await client.pullRequests.createComment('PLAT', 'infra', pullRequestId, 'to delete');
  await client.pullRequests.deleteComment('PLAT', 'infra', pullRequestId, { id: comment.id, version: comment.version });
  await client.buildStatuses.ofCommit(head).toArray();
  expect(verdicts().filter((verdict) => !verdict.allowed).map((verdict) => verdict.request.replace(/\/\d+$/, '/{id}').replace(/[0-9a-f]{40}/, '{commit}'))).toEqual([
    `DELETE /rest/api/latest/projects/PLAT/repos/infra/pull-requests/${pullRequestId}/comments/{id}`,
    'GET /rest/build-status/latest/commits/{commit}',
  ]);
});
