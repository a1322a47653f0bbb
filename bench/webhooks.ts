import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { refsChanged } from '../test/server/webhooks/bitbucket-payloads';
import { postDelivery, signedDelivery } from '../test/server/webhooks/signed-delivery';
import { startPostgres } from '../test/helpers/postgres';
import { findRepoRoot } from './repo-root';

/**
 * `npm run bench:webhooks`: signed repo:refs_changed deliveries, CONCURRENCY at a time, against (a) a bare
 * node:http server that only verifies the HMAC (the ceiling), (b) `liftgate serve` on its embedded PGlite store
 * and (c) `liftgate serve` on a throwaway PostgreSQL 15 cluster. Every target runs as its own process on
 * loopback. The targets are measured in ROUNDS interleaved rounds of DELIVERIES each (a, b, c, a, b, c, …) and
 * each figure is the median over the rounds, so a load spike from other processes on the machine skews one
 * round rather than one target; the ratios to (a) are what to compare across machines.
 */
const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP = 500;
const CONCURRENCY = 32;
const repoRoot = findRepoRoot();
const liftgateBin = join(repoRoot, 'bin', 'liftgate');
const repository = { projectKey: 'PLAT', slug: 'network' };

interface Target {
  baseUrl: string;
  /** The server process, whose CPU time is read from /proc. */
  pid: number;
  integrationId: string;
  secret: string;
  stop(): Promise<void>;
}

interface Measurement {
  perSecond: number;
  /** CPU time the server process spent per delivery (null where /proc is not available); unlike throughput, other load on the machine barely moves it. */
  cpuMsPerDelivery: number | null;
  p50: number;
  p99: number;
  failures: number;
}

/** Resolves with the first line of `stream` that `match` accepts; rejects when the process exits or 60 s pass first. */
function waitForLine<T>(child: ChildProcess, stream: 'stdout' | 'stderr', match: (line: string) => T | null): Promise<T> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`no start-up line within 60 s; stderr: ${stderr}`)), 60_000);
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child[stream]?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const found = match(line);
        if (found !== null) {
          clearTimeout(timer);
          resolve(found);
          return;
        }
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before it was ready; stderr: ${stderr}`));
    });
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function startCeiling(): Promise<Target> {
  const secret = randomBytes(32).toString('hex');
  const child = spawn(process.execPath, [join(__dirname, 'webhook-ceiling-server.js'), secret], { stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await waitForLine(child, 'stdout', (line) => (line.startsWith('{"port"') ? (JSON.parse(line) as { port: number }).port : null));
  return { baseUrl: `http://127.0.0.1:${port}`, pid: child.pid as number, integrationId: 'ceiling', secret, stop: () => stopProcess(child) };
}

async function api<T>(baseUrl: string, apiKey: string, method: string, path: string, body: unknown): Promise<T> {
  const response = await fetch(new URL(path, baseUrl), {
    method,
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Starts `liftgate serve` and gives it an integration and a stack on the benchmark repository. */
async function startServe(extraArgs: string[]): Promise<Target> {
  const dataDir = mkdtempSync(join(tmpdir(), 'liftgate-bench-'));
  // Its JSON request log goes to stdout as in production; the bench discards it (but the server still writes it).
  const child = spawn(process.execPath, [liftgateBin, 'serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, ...extraArgs], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const baseUrl = await waitForLine(child, 'stderr', (line) => /listening on (http:\/\/\S+)/.exec(line)?.[1] ?? null);
  const apiKey = readFileSync(join(dataDir, 'admin.key'), 'utf8').trim();
  const integration = await api<{ id: string; webhookSecret: string }>(baseUrl, apiKey, 'POST', '/api/v1/integrations/bitbucket-datacenter', {
    name: 'bench',
    apiHost: 'private://bench-pool',
    username: 'bench',
    accessToken: 'bench-token',
  });
  await api(baseUrl, apiKey, 'POST', '/api/v1/stacks', {
    name: 'network',
    vcs: { integrationId: integration.id, projectKey: repository.projectKey, repositorySlug: repository.slug, branch: 'main' },
  });
  return {
    baseUrl,
    pid: child.pid as number,
    integrationId: integration.id,
    secret: integration.webhookSecret,
    stop: async () => {
      await stopProcess(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** User plus system CPU time of a process in milliseconds, from /proc/<pid>/stat; null off Linux. */
function cpuMillis(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime are fields 14 and 15 of stat, i.e. 12 and 13 after "pid (comm) ".
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Sends `count` distinct signed deliveries with CONCURRENCY in flight; every one must be answered 200. */
async function drive(target: Target, count: number, label: string): Promise<Measurement> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const payload = refsChanged(repository, [{ branch: index % 4 === 0 ? 'main' : `feature/${index}`, toHash: randomBytes(20).toString('hex') }]);
      const delivery = signedDelivery(target.integrationId, target.secret, 'repo:refs_changed', payload, `${label}-${index}`);
      const started = process.hrtime.bigint();
      const answer = await postDelivery(target.baseUrl, delivery, agent);
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (answer.status !== 200) failures++;
    }
  };
  const cpuBefore = cpuMillis(target.pid);
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuAfter = cpuMillis(target.pid);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    perSecond: count / seconds,
    cpuMsPerDelivery: cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) / count,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    failures,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function row(name: string, m: Measurement, ceiling?: Measurement): string {
  const ratio = ceiling === undefined ? '1.00 (ceiling)' : (m.perSecond / ceiling.perSecond).toFixed(2);
  return [
    name.padEnd(32),
    m.perSecond.toFixed(0).padStart(10),
    m.p50.toFixed(2).padStart(9),
    m.p99.toFixed(2).padStart(9),
    (m.cpuMsPerDelivery === null ? 'n/a' : m.cpuMsPerDelivery.toFixed(3)).padStart(12),
    String(m.failures).padStart(9),
    `  ${ratio}`,
  ].join('');
}

async function main(): Promise<void> {
  process.stdout.write(
    `webhook receiver: signed repo:refs_changed deliveries, ${CONCURRENCY} in flight, ${ROUNDS} interleaved rounds of ${DELIVERIES} per target (after ${WARMUP} warm-up), medians\n`,
  );
  const postgres = await startPostgres();
  const targets: Array<{ name: string; target: Target; rounds: Measurement[] }> = [];
  try {
    const databaseUrl = await postgres.createDatabase('liftgate');
    targets.push({ name: '(a) node:http + HMAC only', target: await startCeiling(), rounds: [] });
    targets.push({ name: '(b) liftgate serve, PGlite', target: await startServe([]), rounds: [] });
    targets.push({ name: '(c) liftgate serve, PostgreSQL', target: await startServe(['--database-url', databaseUrl]), rounds: [] });
    for (const entry of targets) await drive(entry.target, WARMUP, `${entry.name}-warmup`);
    for (let round = 0; round < ROUNDS; round++) {
      for (const entry of targets) entry.rounds.push(await drive(entry.target, DELIVERIES, `${entry.name}-${round}`));
    }
  } finally {
    for (const entry of targets) await entry.target.stop();
    await postgres.stop();
  }
  const [ceiling, pglite, onPostgres] = targets.map(({ rounds }): Measurement => ({
    perSecond: median(rounds.map((m) => m.perSecond)),
    cpuMsPerDelivery: rounds.some((m) => m.cpuMsPerDelivery === null) ? null : median(rounds.map((m) => m.cpuMsPerDelivery as number)),
    p50: median(rounds.map((m) => m.p50)),
    p99: median(rounds.map((m) => m.p99)),
    failures: rounds.reduce((sum, m) => sum + m.failures, 0),
  })) as [Measurement, Measurement, Measurement];
  process.stdout.write(`${'target'.padEnd(32)}${'deliv/s'.padStart(10)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'server CPU'.padStart(12)}${'non-200'.padStart(9)}  ratio to (a)\n`);
  process.stdout.write(`${row(targets[0]!.name, ceiling)}\n`);
  process.stdout.write(`${row(targets[1]!.name, pglite, ceiling)}\n`);
  process.stdout.write(`${row(targets[2]!.name, onPostgres, ceiling)}\n`);
  process.stdout.write(`b/a = ${(pglite.perSecond / ceiling.perSecond).toFixed(3)}  c/a = ${(onPostgres.perSecond / ceiling.perSecond).toFixed(3)}\n`);
  process.stdout.write('server CPU: ms of CPU the server process used per delivery (for (c) without the PostgreSQL backends)\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:webhooks failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
