import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseDriftFlags, runDrift } from '../src/cli/drift';
import type { DriftReport } from '../src/cli/drift/check';
import { HANDLED_EVENTS } from '../src/domain/webhook-events';
import { findRepoRoot } from './repo-root';

/**
 * `npm run bench:drift`: `liftgate drift` over REPOSITORIES stacks, one repository each, against the emulator
 * (rate limit off), and in the same run a bare loop of the same Bitbucket GETs (the webhooks/search listing
 * of every repository, fetch + JSON.parse) at the same concurrency. Rounds alternate which goes first; the
 * ratio drift/loop (target ≥ 0.7) says what drift costs beyond the requests it cannot avoid: reading the
 * stacks, integration and delivery log from the control plane, validating and comparing.
 *
 * The control plane (`liftgate serve`) and the emulator (`liftgate bitbucket-emulator`) run as their own
 * processes, so this process's time is drift's (or the loop's) own.
 *
 * `npm run bench:drift -- --rate-limited` instead runs drift once with the emulator's rate limit on
 * (60 tokens, 5 per second, as issue 6 asks) and reports its duration, 429s and failed checks (~6.5 minutes
 * for 2,000 repositories: (2000 - 60) / 5 s).
 */
const REPOSITORIES = Number(process.env.BENCH_REPOSITORIES ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PROJECT_KEY = 'BENCH';
const root = findRepoRoot();
const liftgateBin = join(root, 'bin', 'liftgate');

interface Service {
  url: string;
  child: ChildProcess;
}

/** Starts a `liftgate` command and resolves with the URL it announces (on stdout or stderr). */
function startService(args: string[], announcement: RegExp): Promise<Service> {
  const child = spawn(process.execPath, [liftgateBin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LIFTGATE_ENCRYPTION_KEY: '' } });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`liftgate ${args[0]} did not start within 60 s`)), 60_000);
    child.once('exit', (code) => reject(new Error(`liftgate ${args[0]} exited with ${code} before it was ready`)));
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        const match = announcement.exec(line);
        if (match !== null) {
          clearTimeout(timer);
          resolve({ url: match[1]!, child });
        }
      });
    }
  });
}

async function call(url: string, token: string, method: string, body?: unknown): Promise<any> {
  const response = await fetch(url, {
    method,
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}: ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}

async function inParallel<T>(items: T[], workers: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
}

/** Project, repositories, the integration, a correct webhook and a stack per repository. */
async function seed(bitbucket: string, bitbucketToken: string, controlPlane: string, apiKey: string): Promise<string[]> {
  const rest = `${bitbucket}/rest/api/latest`;
  await call(`${rest}/projects`, bitbucketToken, 'POST', { key: PROJECT_KEY, name: 'Benchmark' });
  const slugs = Array.from({ length: REPOSITORIES }, (_, index) => `service-${String(index).padStart(4, '0')}`);
  await inParallel(slugs, 8, async (slug) => {
    await call(`${rest}/projects/${PROJECT_KEY}/repos`, bitbucketToken, 'POST', { name: slug, scmId: 'git' });
  });
  const integration = await call(`${controlPlane}/api/v1/integrations/bitbucket-datacenter`, apiKey, 'POST', {
    name: 'bench',
    spaceId: 'root',
    apiHost: bitbucket,
    username: 'admin',
    accessToken: bitbucketToken,
  });
  await inParallel(slugs, 8, async (slug) => {
    await call(`${rest}/projects/${PROJECT_KEY}/repos/${slug}/webhooks`, bitbucketToken, 'POST', {
      name: 'Liftgate bench',
      url: integration.webhookUrl,
      events: HANDLED_EVENTS,
      configuration: { secret: integration.webhookSecret },
    });
    await call(`${controlPlane}/api/v1/stacks`, apiKey, 'POST', {
      name: slug,
      spaceId: 'root',
      vcs: { integrationId: integration.id, projectKey: PROJECT_KEY, repositorySlug: slug, branch: 'main' },
    });
  });
  return slugs;
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc (npm run bench:drift does)');
  gc();
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  collectGarbage();
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

/** The baseline: the GET drift makes per repository, with fetch and JSON.parse, CONCURRENCY at a time. */
async function bareLoop(bitbucket: string, token: string, slugs: string[]): Promise<number> {
  const headers = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
  let webhooks = 0;
  await inParallel(slugs, CONCURRENCY, async (slug) => {
    const response = await fetch(`${bitbucket}/rest/api/latest/projects/${PROJECT_KEY}/repos/${slug}/webhooks/search?start=0&limit=100`, { headers });
    if (!response.ok) throw new Error(`bare loop got ${response.status}`);
    const page = (await response.json()) as { values: unknown[]; isLastPage: boolean };
    if (!page.isLastPage) throw new Error('bare loop: more than one page of webhooks');
    webhooks += page.values.length;
  });
  return webhooks;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function checkClean(report: DriftReport): void {
  if (report.status !== 'clean' || report.summary.repositories !== REPOSITORIES) {
    throw new Error(`drift was expected to find ${REPOSITORIES} clean repositories: ${JSON.stringify(report.summary)}, first problems ${JSON.stringify([...report.errors, ...report.findings].slice(0, 3))}`);
  }
}

async function main(): Promise<void> {
  const rateLimited = process.argv.includes('--rate-limited');
  const dataDir = mkdtempSync(join(tmpdir(), 'liftgate-bench-drift-'));
  const bitbucketToken = randomBytes(24).toString('hex');
  const services: Service[] = [];
  try {
    const emulator = await startService(['bitbucket-emulator', '--port', '0', '--admin-token', bitbucketToken], /^(http:\/\/\S+)$/);
    services.push(emulator);
    const serve = await startService(['serve', '--port', '0', '--data-dir', dataDir, '--allowed-bitbucket-hosts', 'loopback'], /listening on (http:\/\/\S+)/);
    services.push(serve);
    const apiKey = readFileSync(join(dataDir, 'admin.key'), 'utf8').trim();
    process.stdout.write(`seeding ${REPOSITORIES} repositories, webhooks and stacks…\n`);
    const slugs = await seed(emulator.url, bitbucketToken, serve.url, apiKey);
    const config = parseDriftFlags(['--concurrency', String(CONCURRENCY)], {
      LIFTGATE_ENDPOINT: serve.url,
      LIFTGATE_API_KEY: apiKey,
      BITBUCKET_TOKEN: bitbucketToken,
    });

    if (rateLimited) {
      await call(`${emulator.url}/_emulator/rate-limit`, bitbucketToken, 'POST', { capacity: 60, refillPerSecond: 5 });
      process.stdout.write(`drift over ${REPOSITORIES} repositories under a 60-token / 5-per-second rate limit, concurrency ${CONCURRENCY}…\n`);
      const { result: report, ms } = await timed(() => runDrift(config));
      const { summary } = report;
      process.stdout.write(
        [
          `  status ${report.status}: ${summary.repositories} repositories, ${summary.findings} findings, ${summary.errors} failed checks`,
          `  ${summary.bitbucketRequests} Bitbucket requests, ${summary.rateLimitedResponses} answered 429 and retried after Retry-After`,
          `  ${(ms / 1000).toFixed(1)} s; the limit allows ${((REPOSITORIES - 60) / 5).toFixed(0)} s at best`,
          '',
        ].join('\n'),
      );
      checkClean(report);
      const completed = (summary.repositories - summary.errors) / summary.repositories;
      process.stdout.write(`BENCH_RESULT ${JSON.stringify({ bench: 'drift (rate-limited)', metric: 'share of checks completed', value: completed, target: 1, seconds: Number((ms / 1000).toFixed(1)) })}\n`);
      return;
    }

    // Warm-up: JIT and keep-alive sockets on both sides.
    for (let pass = 0; pass < 2; pass += 1) {
      checkClean(await runDrift(config));
      await bareLoop(emulator.url, bitbucketToken, slugs);
    }
    const rates: Record<'drift' | 'loop', number[]> = { drift: [], loop: [] };
    for (let round = 0; round < ROUNDS; round += 1) {
      const order: Array<'drift' | 'loop'> = round % 2 === 0 ? ['drift', 'loop'] : ['loop', 'drift'];
      for (const name of order) {
        if (name === 'drift') {
          const { result, ms } = await timed(() => runDrift(config));
          checkClean(result);
          rates.drift.push((REPOSITORIES / ms) * 1000);
        } else {
          const { result: webhooks, ms } = await timed(() => bareLoop(emulator.url, bitbucketToken, slugs));
          if (webhooks !== REPOSITORIES) throw new Error(`the bare loop saw ${webhooks} webhooks, expected ${REPOSITORIES}`);
          rates.loop.push((REPOSITORIES / ms) * 1000);
        }
      }
      process.stdout.write(`round ${round + 1} (${order.join(' then ')}): drift ${rates.drift[round]!.toFixed(0)} repos/s, loop ${rates.loop[round]!.toFixed(0)} repos/s\n`);
    }

    // The command as users run it once, for the process start-up it adds (not part of the ratio).
    const cli = await timed(
      () =>
        new Promise<number | null>((resolve) => {
          const child = spawn(process.execPath, [liftgateBin, 'drift', '--json', '--concurrency', String(CONCURRENCY)], {
            cwd: root,
            stdio: 'ignore',
            env: { ...process.env, LIFTGATE_ENDPOINT: serve.url, LIFTGATE_API_KEY: apiKey, BITBUCKET_TOKEN: bitbucketToken },
          });
          child.on('exit', resolve);
        }),
    );
    if (cli.result !== 0) throw new Error(`liftgate drift exited with ${cli.result}`);

    const driftRate = median(rates.drift);
    const loopRate = median(rates.loop);
    const pairRatio = median(rates.drift.map((rate, round) => rate / rates.loop[round]!));
    process.stdout.write(
      [
        '',
        `${REPOSITORIES} stacks/repositories, concurrency ${CONCURRENCY}, rate limit off, median of ${ROUNDS} rounds`,
        `  liftgate drift (in process)  ${driftRate.toFixed(0)} repositories/s  (${((REPOSITORIES / driftRate) * 1000).toFixed(0)} ms)`,
        `  bare loop of the same GETs   ${loopRate.toFixed(0)} repositories/s  (${((REPOSITORIES / loopRate) * 1000).toFixed(0)} ms)`,
        `  ratio drift/loop ${(driftRate / loopRate).toFixed(2)} of the medians, ${pairRatio.toFixed(2)} median per round (target >= 0.70)`,
        `  \`liftgate drift --json\` as a process, once: ${cli.ms.toFixed(0)} ms (node start-up and module loading included)`,
        '',
      ].join('\n'),
    );
    process.stdout.write(`BENCH_RESULT ${JSON.stringify({ bench: 'drift', metric: 'drift/loop', value: Number(pairRatio.toFixed(3)), target: 0.7 })}\n`);
  } finally {
    for (const service of services.reverse()) service.child.kill('SIGTERM');
    await Promise.all(services.map((service) => new Promise((resolve) => (service.child.exitCode !== null ? resolve(null) : service.child.once('exit', resolve)))));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
