/**
 * Runs execute repository code (SPEC §7.2, §7.3): what that code can reach. A run's environment holds none of the
 * worker's secrets, secret variables are masked in the log, and a hostile archive fails the run without writing
 * anything outside its directory.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';
import { TestControlPlane } from '../server/harness';
import { commitOf, ended, FakeSource, readLog, RecordingFeedback, startPool, waitForRun } from './harness';

jest.setTimeout(120_000);

const server = new TestControlPlane('pglite');
const source = new FakeSource();
let runner: ReturnType<typeof startPool>;
let url: string;
let outside: string;
let commits = 100;

const WORKER_SECRETS = {
  LIFTGATE_ENCRYPTION_KEY: 'f'.repeat(64),
  LIFTGATE_DATABASE_URL: 'postgres://liftgate:db-password-123@db.internal:5432/liftgate',
  LIFTGATE_API_KEY: 'lgk_worker-api-key-do-not-leak',
  BITBUCKET_TOKEN: 'bitbucket-token-do-not-leak',
};
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  for (const [name, value] of Object.entries(WORKER_SECRETS)) {
    saved[name] = process.env[name];
    process.env[name] = value;
  }
  outside = mkdtempSync(join(tmpdir(), 'liftgate-outside-'));
  await server.start();
  url = await server.listen();
  runner = startPool(server, url, source, new RecordingFeedback());
}, 60_000);
afterAll(async () => {
  await runner.pool.stop();
  await server.stop();
  rmSync(outside, { recursive: true, force: true });
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}, 60_000);
beforeEach(() => server.reset());

async function stackWithRun(files: Record<string, string> | (() => Readable)): Promise<{ stackId: string; runId: string }> {
  const integration = await server.createIntegration({ name: 'bitbucket', accessToken: 'integration-token-do-not-leak' });
  const stack = await server.createStack({ name: 'app', autodeploy: true, vcs: { integrationId: integration.id, projectKey: 'PLAT', repositorySlug: 'app', branch: 'main' } });
  const commit = source.add(commitOf(++commits), files);
  return { stackId: stack.id, runId: await trigger(stack.id, commit) };
}

async function trigger(stackId: string, commit: string): Promise<string> {
  const created = await server.request('POST', `/api/v1/stacks/${stackId}/runs`, { body: { commit } });
  expect(created.status).toBe(201);
  return created.body.id;
}

it("a run's environment holds none of the worker's secrets, and a secret variable it echoes is *** in the log", async () => {
  const envFile = join(outside, 'env.txt');
  const integration = await server.createIntegration({ name: 'bitbucket', accessToken: 'integration-token-do-not-leak' });
  const stack = await server.createStack({ name: 'app', autodeploy: true, vcs: { integrationId: integration.id, projectKey: 'PLAT', repositorySlug: 'app', branch: 'main' } });
  expect((await server.request('PUT', `/api/v1/stacks/${stack.id}/environment/DB_PASSWORD`, { body: { value: 'hunter2-very-secret', secret: true } })).status).toBe(201);
  expect((await server.request('PUT', `/api/v1/stacks/${stack.id}/environment/REGION`, { body: { value: 'eu-west-1', secret: false } })).status).toBe(201);
  const commit = source.add(commitOf(++commits), {
    'main.tf': [
      'resource "terraform_data" "spy" {',
      '  provisioner "local-exec" {',
      `    command = "env > ${envFile}; echo the password is $DB_PASSWORD"`,
      '  }',
      '}',
    ].join('\n'),
  });
  const runId = await trigger(stack.id, commit);
  const run = await waitForRun(server, stack.id, runId, ended);
  expect(run.state).toBe('FINISHED');
  const environment = readFileSync(envFile, 'utf8');
  for (const secret of [...Object.values(WORKER_SECRETS), 'integration-token-do-not-leak', server.adminKey, server.encryptionKey.toString('hex')]) {
    expect(environment).not.toContain(secret);
  }
  const names = environment.split('\n').map((line) => line.split('=')[0]);
  expect(names).toEqual(expect.arrayContaining(['PATH', 'HOME', 'TF_IN_AUTOMATION', 'LIFTGATE_RUN_ID', 'LIFTGATE_STACK_ID', 'LIFTGATE_COMMIT', 'TF_HTTP_PASSWORD', 'REGION', 'DB_PASSWORD']));
  expect(environment).toContain(`LIFTGATE_COMMIT=${commit}`);
  const log = await readLog(server, url, stack.id, runId);
  expect(log).toContain('the password is ***');
  expect(log).not.toContain('hunter2-very-secret');
});

/** A gzipped tar made entry by entry, so it can hold what no honest archiver writes. */
function hostileArchive(entries: { name: string; type?: 'file' | 'symlink' | 'link'; linkname?: string; content?: string }[]): () => Readable {
  return () => {
    const archive = pack();
    for (const entry of entries) {
      if (entry.type === undefined || entry.type === 'file') archive.entry({ name: entry.name }, entry.content ?? 'x');
      else archive.entry({ name: entry.name, type: entry.type, linkname: entry.linkname });
    }
    archive.finalize();
    const out = new PassThrough();
    archive.pipe(createGzip()).pipe(out);
    return out;
  };
}

it.each([
  ['a ../ path', [{ name: 'main.tf', content: 'locals {}' }, { name: '../../escaped.txt' }], 'climbs out'],
  ['an absolute path', [{ name: '/tmp/liftgate-absolute-escape.txt' }], 'absolute path'],
  ['a symbolic link out of the run directory', [{ name: 'out', type: 'symlink' as const, linkname: '/tmp' }, { name: 'out/escaped-through-link.txt' }], 'symbolic link'],
  ['a hard link', [{ name: 'passwd', type: 'link' as const, linkname: '/etc/passwd' }], 'hard link'],
])('an archive with %s fails the run and writes nothing outside it', async (_what, entries, reason) => {
  const before = new Set(readdirSync(tmpdir()));
  const { stackId, runId } = await stackWithRun(hostileArchive(entries));
  const run = await waitForRun(server, stackId, runId, ended);
  expect(run.state).toBe('FAILED');
  expect(run.failure).toContain('the source archive is refused');
  expect(run.failure).toContain(reason);
  expect(existsSync('/tmp/liftgate-absolute-escape.txt')).toBe(false);
  expect(existsSync('/tmp/escaped-through-link.txt')).toBe(false);
  const added = readdirSync(tmpdir()).filter((name) => !before.has(name) && name.includes('escaped'));
  expect(added).toEqual([]);
  // The run's directory goes once the worker is done with the run (just after it records the failure).
  const deadline = Date.now() + 10_000;
  while (readdirSync(runner.workDir).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(readdirSync(runner.workDir)).toEqual([]);
});
