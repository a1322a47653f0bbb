import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { BitbucketClient } from '../../../src/clients/bitbucket';
import { ApiConflictError, ApiNotFoundError, ApiResponseTooLargeError } from '../../../src/clients/errors';
import { COMMENT_MAX_CHARACTERS } from '../../../src/domain/feedback';
import { startEmulator, type RunningEmulator } from '../../../src/emulator';

/** The client's content, pull-request and build-status calls against the emulator's real content. */
let emulator: RunningEmulator;
let client: BitbucketClient;
let main: string;
let first: string;
let feature: string;
let pullRequestId: number;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  emulator.createProject('PRJ');
  emulator.createRepository('PRJ', 'infra');
  const bot = emulator.createUser({ name: 'liftgate', repositoryPermissions: { 'PRJ/infra': 'REPO_READ' } });
  client = new BitbucketClient({ baseUrl: emulator.url, token: bot.token!, retry: { maxRetries: 0 } });
  first = (await emulator.push('PRJ', 'infra', { branch: 'main', files: { 'stacks/net/main.tf': 'locals {}\n', 'README.md': '# infra\n' } })).commit;
  main = (await emulator.push('PRJ', 'infra', { branch: 'main', files: { 'stacks/net/vars.tf': 'variable "x" {}\n' } })).commit;
  feature = (await emulator.push('PRJ', 'infra', { branch: 'feature/dns', files: { 'stacks/dns/main.tf': 'locals {}\n' } })).commit;
  pullRequestId = (await emulator.openPullRequest('PRJ', 'infra', { fromBranch: 'feature/dns', toBranch: 'main', title: 'DNS' })).pullRequest.id;
});
afterAll(async () => {
  client.close();
  await emulator.close();
});

async function tarEntries(body: NodeJS.ReadableStream): Promise<Record<string, string>> {
  const entries: Record<string, string> = {};
  const reader = extract();
  reader.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk) => chunks.push(chunk as Buffer));
    stream.on('end', () => {
      if (header.type === 'file') entries[header.name] = Buffer.concat(chunks).toString('utf8');
      next();
    });
  });
  await new Promise<void>((resolve, reject) => {
    reader.on('finish', resolve);
    reader.on('error', reject);
    body.on('error', reject);
    body.pipe(createGunzip()).pipe(reader);
  });
  return entries;
}

test('the archive at a commit streams as tar.gz, restricted to paths under a prefix', async () => {
  const answer = await client.content.archive('PRJ', 'infra', { commit: main, paths: ['stacks/net'], prefix: 'src', maxBytes: 1024 * 1024 });
  expect(answer.status).toBe(200);
  expect(await tarEntries(answer.body)).toEqual({ 'src/stacks/net/main.tf': 'locals {}\n', 'src/stacks/net/vars.tf': 'variable "x" {}\n' });
});

test('an archive over the cap fails with response-too-large; a branch name or short id is refused before any request', async () => {
  const answer = await client.content.archive('PRJ', 'infra', { commit: main, format: 'tar', maxBytes: 100 });
  await expect(
    (async () => {
      for await (const chunk of answer.body) void chunk;
    })(),
  ).rejects.toBeInstanceOf(ApiResponseTooLargeError);
  await expect(client.content.archive('PRJ', 'infra', { commit: 'main', maxBytes: 100 })).rejects.toThrow(/full commit id/);
  expect(() => client.content.changes('PRJ', 'infra', main.slice(0, 12))).toThrow(/full commit id/);
  await expect(client.content.archive('PRJ', 'infra', { commit: 'e'.repeat(40), maxBytes: 100 })).rejects.toBeInstanceOf(ApiNotFoundError);
});

test('files, commits, changes, compare, branches and a branch head', async () => {
  expect(await client.content.raw('PRJ', 'infra', 'README.md', { commit: first })).toBe('# infra\n');
  await expect(client.content.raw('PRJ', 'infra', 'README.md', { commit: first, maxBytes: 3 })).rejects.toBeInstanceOf(ApiResponseTooLargeError);
  expect(await client.content.commit('PRJ', 'infra', main)).toMatchObject({ id: main, parents: [{ id: first }] });
  expect((await client.content.commits('PRJ', 'infra', { until: main }).toArray()).map((commit) => commit.id)).toEqual([main, first]);
  expect((await client.content.changes('PRJ', 'infra', main).toArray()).map((change) => [change.path.toString, change.type])).toEqual([['stacks/net/vars.tf', 'ADD']]);
  expect((await client.content.changes('PRJ', 'infra', feature, { since: first }).toArray()).map((change) => change.path.toString)).toEqual([
    'stacks/dns/main.tf',
    'stacks/net/vars.tf',
  ]);
  expect((await client.content.compareChanges('PRJ', 'infra', { from: 'refs/heads/feature/dns', to: 'refs/heads/main' }).toArray()).map((change) => change.path.toString)).toEqual([
    'stacks/dns/main.tf',
  ]);
  expect((await client.content.branches('PRJ', 'infra').toArray()).map((branch) => branch.displayId).sort()).toEqual(['feature/dns', 'main']);
  expect(await client.content.defaultBranch('PRJ', 'infra')).toBe('main');
  expect(await client.content.branchHead('PRJ', 'infra', 'main')).toBe(main);
  expect(await client.content.branchHead('PRJ', 'infra', 'refs/heads/feature/dns')).toBe(feature);
  await expect(client.content.branchHead('PRJ', 'infra', 'feature')).rejects.toThrow(/branch feature does not exist/);
});

test('pull requests: list, get, activities, and the open ones that contain a commit and target a branch', async () => {
  expect((await client.pullRequests.list('PRJ', 'infra', { at: 'main' }).toArray()).map((pr) => pr.id)).toEqual([pullRequestId]);
  expect(await client.pullRequests.list('PRJ', 'infra', { at: 'main', direction: 'OUTGOING' }).toArray()).toEqual([]);
  expect(await client.pullRequests.get('PRJ', 'infra', pullRequestId)).toMatchObject({ fromRef: { latestCommit: feature }, toRef: { id: 'refs/heads/main' } });
  expect((await client.pullRequests.activities('PRJ', 'infra', pullRequestId).toArray()).map((activity) => activity.action)).toEqual(['OPENED']);
  expect((await client.pullRequests.openContaining('PRJ', 'infra', feature, 'main')).map((pr) => pr.id)).toEqual([pullRequestId]);
  expect(await client.pullRequests.openContaining('PRJ', 'infra', feature, 'release')).toEqual([]);
  expect(await client.pullRequests.openContaining('PRJ', 'infra', main, 'main')).toEqual([]);
});

test('upsertComment creates once, edits in place, re-reads on a stale version, re-creates a deleted comment and cuts long text', async () => {
  const created = await client.pullRequests.upsertComment('PRJ', 'infra', pullRequestId, { existing: null, text: 'planning…', link: 'http://liftgate/run/1' });
  expect(created).toMatchObject({ version: 0, text: 'planning…' });
  const edited = await client.pullRequests.upsertComment('PRJ', 'infra', pullRequestId, { existing: created, text: 'planned: +1', link: 'http://liftgate/run/1' });
  expect(edited).toMatchObject({ id: created.id, version: 1, text: 'planned: +1' });
  // The stored version is stale (another edit happened): a plain update is a conflict, the upsert re-reads.
  await expect(client.pullRequests.updateComment('PRJ', 'infra', pullRequestId, created, 'x')).rejects.toBeInstanceOf(ApiConflictError);
  const again = await client.pullRequests.upsertComment('PRJ', 'infra', pullRequestId, { existing: created, text: 'planned: +2', link: 'http://liftgate/run/1' });
  expect(again).toMatchObject({ id: created.id, version: 2, text: 'planned: +2' });

  const long = `\`\`\`\n${'+ resource "x"\n'.repeat(5000)}\`\`\``;
  const cut = await client.pullRequests.upsertComment('PRJ', 'infra', pullRequestId, { existing: again, text: long, link: 'http://liftgate/run/1' });
  expect(cut.text.length).toBeLessThanOrEqual(COMMENT_MAX_CHARACTERS);
  expect(cut.text).toContain('http://liftgate/run/1');
  expect((cut.text.match(/^```/gm) ?? []).length % 2).toBe(0);

  await client.pullRequests.deleteComment('PRJ', 'infra', pullRequestId, cut);
  await expect(client.pullRequests.getComment('PRJ', 'infra', pullRequestId, cut.id)).rejects.toBeInstanceOf(ApiNotFoundError);
  const recreated = await client.pullRequests.upsertComment('PRJ', 'infra', pullRequestId, { existing: cut, text: 'back', link: 'http://liftgate/run/1' });
  expect(recreated.id).not.toBe(cut.id);
});

test("a run's build status carries the stable key, parent, name and ref; the same key is replaced; the deprecated listing shows it", async () => {
  const run = { projectKey: 'PRJ', repositorySlug: 'infra', commit: feature, stackId: 'stack-1', stackName: 'dns', kind: 'PROPOSED' as const, branch: 'feature/dns', url: 'http://liftgate/stacks/stack-1/runs/r1' };
  await client.buildStatuses.report({ ...run, runState: 'PLANNING' });
  await client.buildStatuses.report({ ...run, runState: 'FINISHED', description: `${'+'.repeat(300)}`, durationMs: 1234.4 });
  const status = await client.buildStatuses.get('PRJ', 'infra', feature, 'liftgate/stack-1/proposed');
  expect(status).toMatchObject({ state: 'SUCCESSFUL', parent: 'liftgate/stack-1', name: 'Liftgate · dns (proposed)', ref: 'refs/heads/feature/dns', duration: 1234 });
  expect(status.description).toHaveLength(255);
  expect((await client.buildStatuses.ofCommit(feature).toArray()).map((listed) => [listed.key, listed.state])).toEqual([['liftgate/stack-1/proposed', 'SUCCESSFUL']]);
  await expect(client.buildStatuses.get('PRJ', 'infra', feature, 'liftgate/stack-1/tracked')).rejects.toBeInstanceOf(ApiNotFoundError);
});
