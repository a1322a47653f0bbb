import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Workers from '../lib/cli/workers';
import type * as Liftgate from '../lib/clients/liftgate';
import type * as Hosts from '../lib/domain/bitbucket-hosts';
import type * as Emulator from '../lib/emulator';
import type * as Start from '../lib/server/start';
import { startPostgres } from '../test/helpers/postgres';
import { findRepoRoot } from './repo-root';

/**
 * `npm run bench:runs` (SPEC §7, issue 14):
 * (a) push → FINISHED of a TRACKED one-resource run through the control plane, its embedded worker and the emulator
 *     (from the push to the moment the run's history says FINISHED), against the same work done bare in the same run
 *     (fetch the archive, extract it, terraform init, plan -out, apply with the local backend) in a small process of
 *     its own; for scale, the same bare work with Terraform's http backend against an in-memory state server. Median
 *     of ROUNDS each, the three sides taking turns to go first (15 rounds: the medians of fewer moved by tens of ms
 *     between runs). Target ratio ≤ 1.3.
 * (b) delivery answered → run PREPARING with an idle worker, over SAMPLES runs: p50 and p99 (target p99 ≤ 500 ms),
 *     from the run's QUEUED entry (recorded just before the delivery is answered) to its PREPARING entry.
 * (c) 40 runs of 8 stacks on PostgreSQL with 1 and with 2 `liftgate worker` processes (`serve --workers 0`):
 *     throughput of each and the ratio (reported; the machine has 2 cores).
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 50);
const root = findRepoRoot();
// The built runtime (lib/), as `liftgate serve` runs it: the store finds its migrations beside its compiled code.
const load = <T>(path: string): T => require(join(root, 'lib', path)) as T;
const { parseRunFlags, startWorkerPool } = load<typeof Workers>('cli/workers');
const { LiftgateClient } = load<typeof Liftgate>('clients/liftgate');
const { parseBitbucketHostPolicy } = load<typeof Hosts>('domain/bitbucket-hosts');
const { startEmulator } = load<typeof Emulator>('emulator');
const { startControlPlane } = load<typeof Start>('server/start');
type RunningEmulator = Emulator.RunningEmulator;
const work = mkdtempSync(join(tmpdir(), 'liftgate-bench-runs-'));
const terraformEnv = { PATH: process.env.PATH ?? '', HOME: work, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' };

const code = (marker: string, extra = '') => `resource "terraform_data" "one" {\n  triggers_replace = "${marker}"\n${extra}}\n`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)] as number;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 120_000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(everyMs);
  }
}

async function hook(bitbucket: RunningEmulator, slug: string, integration: { webhookUrl: string; webhookSecret?: string | null }): Promise<void> {
  const response = await fetch(`${bitbucket.url}/rest/api/latest/projects/BENCH/repos/${slug}/webhooks`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${bitbucket.adminToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'liftgate', url: integration.webhookUrl, active: true, events: ['repo:refs_changed'], configuration: { secret: integration.webhookSecret } }),
  });
  if (!response.ok) throw new Error(`webhook: ${response.status}`);
}

/**
 * The bare baseline: what a run does, without Liftgate, in a small process of its own (bench/bare-terraform.js), so
 * its terraform starts do not pay for forking this process and the store it holds.
 */
function startBare(): { run: (bitbucket: RunningEmulator, commit: string, backend: 'local' | 'http') => Promise<number>; stop: () => void } {
  const child = fork(join(root, 'bench', 'bare-terraform.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let sequence = 0;
  const run = (bitbucket: RunningEmulator, commit: string, backend: 'local' | 'http') =>
    new Promise<number>((resolve, reject) => {
      const exited = (code: number | null) => reject(new Error(`bench/bare-terraform.js exited (${code}) before it answered`));
      child.once('exit', exited);
      child.once('message', (answer: { ms?: number; error?: string }) => {
        child.off('exit', exited);
        if (answer.ms === undefined) reject(new Error(answer.error));
        else resolve(answer.ms);
      });
      sequence += 1;
      child.send({
        archiveUrl: `${bitbucket.url}/rest/api/latest/projects/BENCH/repos/bare/archive?at=${commit}&format=tar.gz`,
        token: bitbucket.adminToken,
        dir: join(work, `bare-${sequence}`),
        env: terraformEnv,
        backend,
      });
    });
  return { run, stop: () => child.disconnect() };
}

async function inProcess(): Promise<void> {
  const bareRunner = startBare();
  const bitbucket = await startEmulator({ port: 0 });
  bitbucket.createProject('BENCH');
  bitbucket.createRepository('BENCH', 'single', { defaultBranch: 'main' });
  bitbucket.createRepository('BENCH', 'latency', { defaultBranch: 'main' });
  // The baseline's repository has no webhook: its pushes start no runs that would compete with the measured ones.
  bitbucket.createRepository('BENCH', 'bare', { defaultBranch: 'main' });
  let poke = (): void => undefined;
  const hosts = parseBitbucketHostPolicy('loopback');
  const controlPlane = await startControlPlane({
    dataDir: join(work, 'cp'),
    host: '127.0.0.1',
    port: 0,
    allowedBitbucketHosts: hosts,
    runsQueued: () => poke(),
  });
  const pool = startWorkerPool(controlPlane.runHost, parseRunFlags({ 'work-dir': join(work, 'runs') }, work), { hosts }, 1, (error) => console.error(error));
  poke = () => pool.poke();
  const liftgate = new LiftgateClient({ endpoint: controlPlane.url, apiKey: readFileSync(join(work, 'cp', 'admin.key'), 'utf8').trim() });
  const integration = await liftgate.integrations.create({ name: 'emulator', isDefault: true, apiHost: bitbucket.url, username: 'admin', accessToken: bitbucket.adminToken } as never);
  for (const slug of ['single', 'latency']) await hook(bitbucket, slug, integration as never);
  const single = await liftgate.stacks.create({ name: 'single', autodeploy: true, vcs: { projectKey: 'BENCH', repositorySlug: 'single', branch: 'main' } } as never);
  const latency = await liftgate.stacks.create({ name: 'latency', autodeploy: true, vcs: { projectKey: 'BENCH', repositorySlug: 'latency', branch: 'main' } } as never);
  const runOf = async (stackId: string, commit: string) => (await liftgate.stacks.runs(stackId).toArray()).find((run) => run.commit === commit);

  const liftgateMs: number[] = [];
  const bareMs: number[] = [];
  const floorMs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const measureLiftgate = async () => {
      const started = Date.now();
      const { commit } = await bitbucket.push('BENCH', 'single', { branch: 'main', files: { 'main.tf': code(`lg-${round}`) } });
      // The run exists once the delivery was answered. Every look waits 250 ms first, the first one too: a poll runs
      // in the process the run is executed by and reads the store the run writes to, and the time measured is the one
      // the run's history records, not the poll's.
      await sleep(250);
      const run = await until(async () => runOf(single.id, commit), 120_000, 250);
      const finished = await until(async () => {
        const current = await liftgate.stacks.run(single.id, run.id);
        return current.state === 'FINISHED' ? current : undefined;
      }, 120_000, 250);
      // When the run became FINISHED, as the control plane recorded it: the poll above only looks every 250 ms, and
      // its lag is the bench's, not the run's.
      const finishedAt = finished.history?.find((entry) => entry.state === 'FINISHED')?.at;
      if (finishedAt === undefined) throw new Error(`run ${run.id} has no FINISHED entry`);
      liftgateMs.push(Date.parse(finishedAt) - started);
      if (process.env.BENCH_VERBOSE === '1') console.log(`  run ${run.id}: ${(finished.history ?? []).map((entry) => `${entry.state} ${entry.at.slice(17, 23)}`).join(', ')}`);
    };
    const measureBare = (backend: 'local' | 'http', times: number[]) => async () => {
      const { commit } = await bitbucket.push('BENCH', 'bare', { branch: 'main', files: { 'main.tf': code(`bare-${backend}-${round}`) } });
      times.push(await bareRunner.run(bitbucket, commit, backend));
    };
    // Each side goes first, second and third in turn.
    const sides = [measureLiftgate, measureBare('local', bareMs), measureBare('http', floorMs)];
    for (let turn = 0; turn < sides.length; turn++) await (sides[(turn + round) % sides.length] as () => Promise<void>)();
  }
  const ratio = median(liftgateMs) / median(bareMs);
  console.log(`(a) push → FINISHED, TRACKED 1 resource: liftgate median ${median(liftgateMs).toFixed(0)} ms, bare ${median(bareMs).toFixed(0)} ms, ratio ${ratio.toFixed(2)} (target <= 1.3)`);
  console.log(
    `    for scale: bare with Terraform's http backend against an in-memory state server (the floor of keeping state elsewhere) ${median(floorMs).toFixed(0)} ms, ${(median(floorMs) / median(bareMs)).toFixed(2)}x bare; liftgate ${(median(liftgateMs) / median(floorMs)).toFixed(2)}x that`,
  );
  console.log(`BENCH_RESULT ${JSON.stringify({ bench: 'runs', metric: 'push→FINISHED / bare (x)', value: Number(ratio.toFixed(3)), target: 1.3, lowerIsBetter: true })}`);

  const latencies: number[] = [];
  for (let sample = 0; sample < SAMPLES; sample++) {
    const { commit } = await bitbucket.push('BENCH', 'latency', { branch: 'main', files: { 'main.tf': code(`latency-${sample}`) } });
    const run = await until(async () => {
      const found = await runOf(latency.id, commit);
      return found !== undefined && ['FINISHED', 'FAILED'].includes(found.state) ? found : undefined;
    });
    // From the run's QUEUED entry, recorded as the delivery is accepted and just before it is answered (so never
    // less than the true figure): the push's own return reached this loop after the worker had often claimed the
    // run already, which made the figure negative.
    const queued = run.history?.find((entry) => entry.state === 'QUEUED');
    const preparing = run.history?.find((entry) => entry.state === 'PREPARING');
    if (queued === undefined || preparing === undefined) throw new Error(`run ${run.id} has no QUEUED or PREPARING entry`);
    latencies.push(Date.parse(preparing.at) - Date.parse(queued.at));
  }
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  console.log(`(b) delivery answered → PREPARING, idle worker, ${SAMPLES} runs: p50 ${p50} ms, p99 ${p99} ms (target p99 <= 500 ms)`);
  console.log(`BENCH_RESULT ${JSON.stringify({ bench: 'runs', metric: 'delivery→PREPARING p99 (ms)', value: p99, target: 500, lowerIsBetter: true })}`);
  await pool.stop();
  bareRunner.stop();
  await controlPlane.close();
  await bitbucket.close();
}

function startLiftgate(args: string[], ready: RegExp, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'liftgate'), ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const look = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match !== null) resolve({ child, match });
    };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
    child.on('exit', (code) => reject(new Error(`liftgate ${args[0]} exited ${code}: ${output}`)));
  });
}

async function onPostgres(): Promise<void> {
  const cluster = await startPostgres();
  const bitbucket = await startEmulator({ port: 0 });
  const key = 'b2'.repeat(32);
  const results: { workers: number; runsPerMinute: number }[] = [];
  try {
    bitbucket.createProject('BENCH');
    for (const workers of [1, 2]) {
      const databaseUrl = await cluster.createDatabase(`runs${workers}`);
      const dataDir = join(work, `serve-${workers}`);
      mkdirSync(dataDir);
      const serve = await startLiftgate(['serve', '--port', '0', '--data-dir', dataDir, '--database-url', databaseUrl, '--workers', '0', '--allowed-bitbucket-hosts', 'loopback'], /listening on (http:\/\/\S+)/, { LIFTGATE_ENCRYPTION_KEY: key });
      const url = serve.match[1] as string;
      const liftgate = new LiftgateClient({ endpoint: url, apiKey: readFileSync(join(dataDir, 'admin.key'), 'utf8').trim() });
      await liftgate.integrations.create({ name: 'emulator', isDefault: true, apiHost: bitbucket.url, username: 'admin', accessToken: bitbucket.adminToken } as never);
      const queued: { stackId: string; commit: string }[] = [];
      const stacks = [];
      for (let index = 0; index < 8; index++) {
        const slug = `fleet-${workers}-${index}`;
        bitbucket.createRepository('BENCH', slug, { defaultBranch: 'main' });
        stacks.push({ slug, stack: await liftgate.stacks.create({ name: slug, autodeploy: true, vcs: { projectKey: 'BENCH', repositorySlug: slug, branch: 'main' } } as never) });
      }
      for (let round = 0; round < 5; round++) {
        for (const { slug, stack } of stacks) {
          const { commit } = await bitbucket.push('BENCH', slug, { branch: 'main', files: { 'main.tf': code(`${round}`) } });
          await liftgate.stacks.triggerRun(stack.id, { commit });
          queued.push({ stackId: stack.id, commit });
        }
      }
      const started = performance.now();
      const started_workers = await Promise.all(
        Array.from({ length: workers }, () =>
          startLiftgate(['worker', '--database-url', databaseUrl, '--endpoint', url, '--concurrency', '2', '--work-dir', mkdtempSync(join(work, 'w-')), '--allowed-bitbucket-hosts', 'loopback'], /executing up to/, { LIFTGATE_ENCRYPTION_KEY: key }),
        ),
      );
      for (const { stack } of stacks) {
        await until(async () => ((await liftgate.stacks.runs(stack.id).toArray()).every((run) => ['FINISHED', 'FAILED'].includes(run.state)) ? true : undefined), 600_000);
      }
      const minutes = (performance.now() - started) / 60_000;
      results.push({ workers, runsPerMinute: queued.length / minutes });
      for (const worker of started_workers) worker.child.kill('SIGTERM');
      serve.child.kill('SIGTERM');
      await sleep(1000);
    }
  } finally {
    await bitbucket.close();
    await cluster.stop();
  }
  const [one, two] = results as unknown as [{ runsPerMinute: number }, { runsPerMinute: number }];
  console.log(`(c) 40 runs of 8 stacks on PostgreSQL: 1 worker ${one.runsPerMinute.toFixed(1)} runs/min, 2 workers ${two.runsPerMinute.toFixed(1)} runs/min, ratio ${(two.runsPerMinute / one.runsPerMinute).toFixed(2)} (2 cores; no target)`);
  console.log(`BENCH_RESULT ${JSON.stringify({ bench: 'runs', metric: '2 workers / 1 worker throughput (x)', value: Number((two.runsPerMinute / one.runsPerMinute).toFixed(3)) })}`);
}

async function main(): Promise<void> {
  writeFileSync(join(work, '.keep'), '');
  try {
    await inProcess();
    await onPostgres();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
