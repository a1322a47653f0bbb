/**
 * Workers on a shared PostgreSQL (SPEC §7.2): `liftgate serve --workers 0` answers the API while `liftgate worker`
 * processes execute the runs; a worker killed during APPLYING leaves a run FAILED "worker lost" and no lock; many runs
 * over several workers are each executed exactly once, TRACKED runs of a stack one after the other; a restarted
 * `liftgate serve` carries on with the runs queued before.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { startCli } from '../helpers/cli';
import { startPostgres, type PostgresCluster } from '../helpers/postgres';
import type { RunningProcess } from '../helpers/process';
import { ControlPlaneProcess } from '../helpers/serve';

jest.setTimeout(300_000);

const KEY = 'a1'.repeat(32);
let cluster: PostgresCluster;
let databaseUrl: string;
let bitbucket: RunningEmulator;
let serve: ControlPlaneProcess;
let work: string;
const workers: RunningProcess<string>[] = [];

const ENDED = ['FINISHED', 'FAILED', 'DISCARDED', 'CANCELED'];

async function startWorker(concurrency = 2): Promise<RunningProcess<string>> {
  const workDir = mkdtempSync(join(work, 'worker-'));
  const worker = await startCli(
    ['worker', '--database-url', databaseUrl, '--endpoint', serve.url, '--lease', '5s', '--concurrency', String(concurrency), '--work-dir', workDir],
    (_stdout, stderr) => /worker (\S+) executing/.exec(stderr)?.[1],
    { env: { LIFTGATE_ENCRYPTION_KEY: KEY }, timeoutMs: 60_000 },
  );
  workers.push(worker);
  return worker;
}

async function stopWorkers(): Promise<void> {
  await Promise.all(workers.splice(0).map((worker) => worker.stop('SIGTERM', 30_000)));
}

/** SIGKILL of a worker and of the terraform process groups it started (they are detached: group leaders). */
function killWorker(worker: RunningProcess<string>): void {
  const pid = worker.child.pid as number;
  const children = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        return readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]?.split(' ')[1] === String(pid);
      } catch {
        return false;
      }
    })
    .map(Number);
  worker.child.kill('SIGKILL');
  for (const child of children) {
    try {
      process.kill(-child, 'SIGKILL');
    } catch {
      // Not a group leader, or gone already.
    }
  }
}

async function startServe(workerCount: number): Promise<ControlPlaneProcess> {
  return ControlPlaneProcess.start({
    env: { LIFTGATE_ENCRYPTION_KEY: KEY },
    args: ['--database-url', databaseUrl, '--workers', String(workerCount), '--lease', '5s'],
    dataDir: join(work, 'serve'),
  });
}

async function setUpStack(name: string, files: Record<string, string>): Promise<{ id: string; commit: string }> {
  bitbucket.createRepository('PLAT', name, { defaultBranch: 'main' });
  const { commit } = await bitbucket.push('PLAT', name, { branch: 'main', files });
  const stack = await serve.ok('POST', '/api/v1/stacks', { name, autodeploy: true, vcs: { projectKey: 'PLAT', repositorySlug: name, branch: 'main' } });
  return { id: stack.id, commit };
}

async function trigger(stackId: string, commit: string): Promise<string> {
  return (await serve.ok('POST', `/api/v1/stacks/${stackId}/runs`, { commit })).id;
}

async function waitForRun(stackId: string, runId: string, done: (run: any) => boolean, timeoutMs = 120_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await serve.ok('GET', `/api/v1/stacks/${stackId}/runs/${runId}`);
    if (done(run)) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} is ${run.state}: ${JSON.stringify(run)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'liftgate-workers-'));
  cluster = await startPostgres();
  databaseUrl = await cluster.createDatabase('liftgate');
  bitbucket = await startEmulator({ port: 0 });
  bitbucket.createProject('PLAT');
  serve = await startServe(0);
  await serve.ok('POST', '/api/v1/integrations/bitbucket-datacenter', { name: 'emulator', apiHost: bitbucket.url, username: 'admin', accessToken: bitbucket.adminToken, isDefault: true });
}, 120_000);

afterAll(async () => {
  for (const worker of workers) killWorker(worker);
  await serve?.stop();
  await bitbucket?.close();
  await cluster?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('SIGKILL of the worker during APPLYING: FAILED "worker lost" within the lease + 10 s, no lock left, the next run finishes', async () => {
  const slow = { 'main.tf': 'resource "terraform_data" "slow" {\n  input = "v1"\n  provisioner "local-exec" {\n    command = "sleep 60"\n  }\n}\n' };
  const { id: stackId, commit } = await setUpStack('lost', slow);
  const doomed = await startWorker(1);
  const runId = await trigger(stackId, commit);
  await waitForRun(stackId, runId, (run) => run.state === 'APPLYING');
  await new Promise((resolve) => setTimeout(resolve, 1500));
  killWorker(doomed);
  const killedAt = Date.now();
  await startWorker(1);
  const lost = await waitForRun(stackId, runId, (run) => ENDED.includes(run.state), 30_000);
  expect(Date.now() - killedAt).toBeLessThan(5_000 + 10_000);
  expect(lost.state).toBe('FAILED');
  expect(lost.failure).toContain('worker lost');
  // No state lock is left: an admin can take it at once (and gives it back).
  const lock = await serve.api('POST', `/api/v1/stacks/${stackId}/state/lock`, { ID: 'probe', Operation: 'test', Who: 'test' });
  expect(lock.status).toBe(200);
  expect((await serve.api('DELETE', `/api/v1/stacks/${stackId}/state/lock`, { ID: 'probe' })).status).toBe(200);
  const next = await bitbucket.push('PLAT', 'lost', { branch: 'main', files: { 'main.tf': 'resource "terraform_data" "fast" {\n  input = "v2"\n}\n' } });
  const nextRun = await waitForRun(stackId, await trigger(stackId, next.commit), (run) => ENDED.includes(run.state));
  expect(nextRun.state).toBe('FINISHED');
  const versions = (await serve.ok('GET', `/api/v1/stacks/${stackId}/state/versions`)) as { serial: number }[];
  const serials = versions.map((version) => version.serial).reverse();
  expect(serials).toEqual([...serials].sort((a, b) => a - b));
  await stopWorkers();
});

test('two liftgate worker processes and serve --workers 0 execute 40 runs of 8 stacks, each exactly once; TRACKED runs of a stack never overlap', async () => {
  const ledger = join(work, 'ledger.txt');
  const stacks = [];
  for (let index = 0; index < 8; index++) {
    stacks.push(
      await setUpStack(`fleet-${index}`, {
        'main.tf': `resource "terraform_data" "n" {\n  input = "${index}"\n  provisioner "local-exec" {\n    command = "echo $LIFTGATE_RUN_ID >> ${ledger}"\n  }\n}\n`,
      }),
    );
  }
  await Promise.all([startWorker(2), startWorker(2)]);
  const runs: { stackId: string; runId: string }[] = [];
  for (let round = 0; round < 5; round++) {
    for (const [index, stack] of stacks.entries()) {
      // Each run replaces the resource, so every one of them applies and runs its local-exec once.
      const { commit } = await bitbucket.push('PLAT', `fleet-${index}`, {
        branch: 'main',
        files: { 'main.tf': `resource "terraform_data" "n" {\n  triggers_replace = "${index}-${round}"\n  provisioner "local-exec" {\n    command = "echo $LIFTGATE_RUN_ID >> ${ledger}"\n  }\n}\n` },
      });
      runs.push({ stackId: stack.id, runId: await trigger(stack.id, commit) });
    }
  }
  const done = await Promise.all(runs.map(({ stackId, runId }) => waitForRun(stackId, runId, (run) => ENDED.includes(run.state), 240_000)));
  expect(done.map((run) => run.state)).toEqual(runs.map(() => 'FINISHED'));
  const executed = readFileSync(ledger, 'utf8').trim().split('\n');
  expect(executed.sort()).toEqual(runs.map((run) => run.runId).sort());
  for (const stack of stacks) {
    const spans = done
      .filter((run) => run.stackId === stack.id)
      .map((run) => ({ start: Date.parse(run.history.find((entry: any) => entry.state === 'PREPARING').at), end: Date.parse(run.history.at(-1).at) }))
      .sort((a, b) => a.start - b.start);
    for (let index = 1; index < spans.length; index++) expect(spans[index]!.start).toBeGreaterThanOrEqual(spans[index - 1]!.end);
  }
  await stopWorkers();
});

test('a restarted liftgate serve carries on with the runs queued before it stopped', async () => {
  const { id: stackId, commit } = await setUpStack('restart', { 'main.tf': 'resource "terraform_data" "r" {\n  input = "queued"\n}\n' });
  const runId = await trigger(stackId, commit);
  await serve.stop();
  serve = await startServe(1);
  const run = await waitForRun(stackId, runId, (candidate) => ENDED.includes(candidate.state));
  expect(run.state).toBe('FINISHED');
});
