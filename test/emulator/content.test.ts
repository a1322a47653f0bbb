import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { blobId, commitId, treeId } from '../../src/emulator/git-objects';
import { call } from './http';

let emulator: RunningEmulator;
let reader: { token: string };
let outsider: { token: string };
let dir: string;
const REPO = '/rest/api/latest/projects/PRJ/repos/infra';

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  emulator.createProject('PRJ');
  emulator.createRepository('PRJ', 'infra');
  reader = emulator.createUser({ name: 'reader', repositoryPermissions: { 'PRJ/infra': 'REPO_READ' } }) as { token: string };
  outsider = emulator.createUser({ name: 'outsider', withToken: true, tokenPermissions: ['REPO_READ'] }) as { token: string };
  dir = mkdtempSync(join(tmpdir(), 'liftgate-content-'));
});
afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (path: string, token: string | null = reader.token) => call(emulator, 'GET', `${REPO}${path}`, { token });

async function download(path: string): Promise<Buffer> {
  const response = await fetch(`${emulator.url}${REPO}${path}`, { headers: { Authorization: `Bearer ${reader.token}` } });
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

/** The file listing of an archive as the system's tar or unzip sees it. */
function listing(bytes: Buffer, format: 'zip' | 'tar' | 'tar.gz'): string[] {
  const file = join(dir, `archive-${Math.random().toString(36).slice(2)}.${format}`);
  writeFileSync(file, bytes);
  const out = format === 'zip' ? execFileSync('zipinfo', ['-1', file], { encoding: 'utf8' }) : execFileSync('tar', ['-tf', file], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line !== '').sort();
}

test('ids are Git\'s own: a blob, tree and commit hash as `git` computes them', () => {
  const files = { 'a/b/x.tf': blobId(Buffer.from('hello')), 'README.md': blobId(Buffer.from('hi\n')), 'a.txt': blobId(Buffer.alloc(0)) };
  expect(files['a/b/x.tf']).toBe('b6fc4c620b67d95f953a5c1c1230aaab5db5a1b0');
  const tree = treeId(files);
  expect(tree).toBe('455f1702a9c1ed8d272baaf090532493ba90e2cd');
  const who = { name: 'Admin', emailAddress: 'admin@example.com', timestamp: 1_700_000_000_000 };
  expect(commitId({ tree, parents: [], author: who, committer: who, message: 'first' })).toBe('635fe8f8271495f96dc5b8619b2d3ea4c2823a04');
});

test('a new repository is empty until its first push; a push makes a real commit whose content the REST paths serve', async () => {
  expect((await get('/branches')).body).toMatchObject({ size: 0, values: [] });
  expect((await get('/archive?format=tar')).status).toBe(404);
  expect((await get('/default-branch')).status).toBe(404);
  expect((await get('/branches/default')).status).toBe(204);

  const first = await emulator.push('PRJ', 'infra', { branch: 'main', files: { 'stacks/prod/main.tf': 'resource "terraform_data" "x" {}\n', 'README.md': '# infra\n' }, message: 'First' });
  const second = await emulator.push('PRJ', 'infra', { branch: 'main', files: { 'stacks/prod/main.tf': 'resource "terraform_data" "y" {}\n', 'docs/notes.md': 'notes\n', 'README.md': null } });
  expect(second.change).toEqual({ branch: 'main', fromHash: first.commit, toHash: second.commit, type: 'UPDATE' });

  const commit = await get(`/commits/${second.commit}`);
  expect(commit.body).toMatchObject({ id: second.commit, displayId: second.commit.slice(0, 11), message: 'Update main', parents: [{ id: first.commit }], author: { name: 'Administrator' } });
  expect((await get(`/commits/${second.commit.slice(0, 8)}`)).body).toMatchObject({ id: second.commit });
  expect((await get(`/commits/${'f'.repeat(40)}`)).status).toBe(404);

  const changes = await get(`/commits/${second.commit}/changes`);
  expect((changes.body as { values: Array<{ path: { toString: string }; type: string }> }).values.map((change) => [change.path.toString, change.type])).toEqual([
    ['README.md', 'DELETE'],
    ['docs/notes.md', 'ADD'],
    ['stacks/prod/main.tf', 'MODIFY'],
  ]);
  const sinceFirst = await get(`/commits/${second.commit}/changes?since=${first.commit}`);
  expect((sinceFirst.body as { values: unknown[] }).values).toHaveLength(3);

  const history = await get(`/commits?until=main`);
  expect((history.body as { values: Array<{ id: string }> }).values.map((entry) => entry.id)).toEqual([second.commit, first.commit]);
  const sinceHistory = await get(`/commits?until=${second.commit}&since=${first.commit}`);
  expect((sinceHistory.body as { values: Array<{ id: string }> }).values.map((entry) => entry.id)).toEqual([second.commit]);
  const touchingDocs = await get('/commits?path=docs');
  expect((touchingDocs.body as { values: Array<{ id: string }> }).values.map((entry) => entry.id)).toEqual([second.commit]);

  const raw = await get(`/raw/stacks/prod/main.tf?at=${first.commit}`);
  expect(raw).toMatchObject({ status: 200, text: 'resource "terraform_data" "x" {}\n' });
  expect((await get(`/raw/README.md?at=${second.commit}`)).status).toBe(404);
  const browseRoot = await get('/browse');
  expect((browseRoot.body as { children: { values: Array<{ path: { toString: string }; type: string }> } }).children.values.map((child) => [child.path.toString, child.type])).toEqual([
    ['docs', 'DIRECTORY'],
    ['stacks', 'DIRECTORY'],
  ]);
  expect((await get('/browse/stacks/prod/main.tf')).body).toMatchObject({ lines: [{ text: 'resource "terraform_data" "y" {}' }], isLastPage: true });
  expect((await get('/browse/stacks?type=true')).body).toEqual({ type: 'DIRECTORY' });
  expect((await get('/browse/missing')).status).toBe(404);
});

test('archives come as zip, tar and tar.gz, restricted by path and under a prefix; a bad format is a 400', async () => {
  const { commit } = await emulator.push('PRJ', 'infra', { branch: 'main', files: { 'stacks/staging/main.tf': 'locals {}\n' } });
  const tgz = await download(`/archive?at=${commit}&format=tar.gz&prefix=repo`);
  expect(listing(tgz, 'tar.gz')).toEqual([
    'repo/docs/',
    'repo/docs/notes.md',
    'repo/stacks/',
    'repo/stacks/prod/',
    'repo/stacks/prod/main.tf',
    'repo/stacks/staging/',
    'repo/stacks/staging/main.tf',
  ]);
  expect(listing(await download(`/archive?at=${commit}&format=tar&path=stacks/prod`), 'tar')).toEqual(['stacks/', 'stacks/prod/', 'stacks/prod/main.tf']);
  expect(listing(await download(`/archive?at=refs/heads/main&path=docs&path=stacks/staging/main.tf`), 'zip')).toEqual([
    'docs/',
    'docs/notes.md',
    'stacks/',
    'stacks/staging/',
    'stacks/staging/main.tf',
  ]);
  const extracted = join(dir, 'extracted');
  execFileSync('mkdir', ['-p', extracted]);
  writeFileSync(join(dir, 'a.tgz'), await download(`/archive?at=${commit}&format=tgz`));
  execFileSync('tar', ['-xzf', join(dir, 'a.tgz'), '-C', extracted]);
  expect(execFileSync('cat', [join(extracted, 'stacks/staging/main.tf')], { encoding: 'utf8' })).toBe('locals {}\n');

  const bad = await get(`/archive?at=${commit}&format=rar`);
  expect(bad.status).toBe(400);
  expect(bad.body).toMatchObject({ errors: [{ message: expect.stringContaining('rar') }] });
  expect((await get(`/archive?at=${'e'.repeat(40)}&format=tar`)).status).toBe(404);
  expect((await get(`/archive?at=${commit}&path=nowhere`)).status).toBe(404);
  expect((await get(`/archive?at=${commit}`, outsider.token)).status).toBe(401);
  expect((await get(`/archive?at=${commit}`, null)).status).toBe(401);
});

test('branches list with filterText and the default branch; compare/changes shows what a branch changes', async () => {
  await emulator.push('PRJ', 'infra', { branch: 'feature/net', files: { 'stacks/prod/net.tf': 'locals {}\n' } });
  const branches = await get('/branches?filterText=NET');
  expect(branches.body).toMatchObject({ size: 1, values: [{ id: 'refs/heads/feature/net', displayId: 'feature/net', isDefault: false }] });
  expect((await get('/branches?orderBy=ALPHABETICAL')).body).toMatchObject({ values: [{ displayId: 'feature/net' }, { displayId: 'main', isDefault: true }] });
  expect((await get('/default-branch')).body).toEqual({ id: 'refs/heads/main', displayId: 'main', type: 'BRANCH' });
  const compare = await get('/compare/changes?from=refs/heads/feature/net&to=refs/heads/main');
  expect((compare.body as { values: Array<{ path: { toString: string }; type: string }> }).values.map((change) => [change.path.toString, change.type])).toEqual([
    ['stacks/prod/net.tf', 'ADD'],
  ]);
});

test('content survives a restart with the same state file', async () => {
  const state = join(dir, 'state.json');
  const first = await startEmulator({ port: 0, stateFile: state });
  first.createProject('KEEP');
  first.createRepository('KEEP', 'code');
  const { commit } = await first.push('KEEP', 'code', { branch: 'main', files: { 'main.tf': 'locals {}\n' } });
  await first.close();
  const second = await startEmulator({ port: 0, stateFile: state });
  try {
    const raw = await call(second, 'GET', `/rest/api/latest/projects/KEEP/repos/code/raw/main.tf?at=${commit}`);
    expect(raw).toMatchObject({ status: 200, text: 'locals {}\n' });
    const next = await second.push('KEEP', 'code', { branch: 'main', files: { 'b.tf': 'locals {}\n' } });
    expect(next.change.fromHash).toBe(commit);
  } finally {
    await second.close();
  }
});
