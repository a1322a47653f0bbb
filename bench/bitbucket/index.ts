import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BitbucketClient } from '../../src/clients/bitbucket';
import { benchArchive } from './archive';

/**
 * `npm run bench:bitbucket`: list the webhooks of REPOSITORIES repositories through BitbucketClient and,
 * in the same run against the same emulator, with a bare `fetch` loop at the same concurrency. Rounds
 * alternate which goes first; the median rate of each is compared. The ratio client/fetch says what the
 * client's parsing, retry and concurrency layers cost (target ≥ 0.8). Then the archive benchmark (./archive.ts).
 */
const REPOSITORIES = Number(process.env.BENCH_REPOSITORIES ?? 2000);
const WEBHOOKS_PER_REPOSITORY = 3;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const PAGE_SIZE = 100;

interface Seeded {
  url: string;
  token: string;
  projectKey: string;
  slugs: string[];
  archive: { slug: string; commit: string; bytes: number };
}

interface Emulator extends Seeded {
  stop(): void;
}

async function startEmulatorProcess(): Promise<Emulator> {
  const child = spawn(process.execPath, [join(__dirname, 'emulator-process.js'), String(REPOSITORIES), String(WEBHOOKS_PER_REPOSITORY)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const seeded = await new Promise<Seeded>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the emulator did not start and seed within 120 s')), 120_000);
    child.once('exit', (code) => reject(new Error(`the emulator process exited with ${code} before it was ready`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line) as Seeded);
    });
  });
  return { ...seeded, stop: () => child.kill('SIGTERM') };
}

/**
 * Runs `task` for every slug with `CONCURRENCY` workers; returns the webhooks seen, the elapsed ms and
 * this process's CPU time (the emulator runs elsewhere, so that is the contender's own cost).
 */
async function pool(slugs: string[], task: (slug: string) => Promise<number>): Promise<{ webhooks: number; ms: number; cpuMs: number }> {
  // Start from a collected heap, so each pass pays for its own garbage and not for the previous pass's
  // (the npm script runs node with --expose-gc).
  collectGarbage();
  let next = 0;
  let webhooks = 0;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < slugs.length) {
        // Awaited first: `webhooks += await …` would read the total before the await and lose updates.
        const seen = await task(slugs[next++]!);
        webhooks += seen;
      }
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  return { webhooks, ms: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000 };
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc (npm run bench:bitbucket does)');
  gc();
}

/** The baseline: the same GETs (same URL, same page size) with fetch and JSON.parse, no validation. */
function bareFetch(emulator: Emulator) {
  const headers = { Authorization: `Bearer ${emulator.token}`, Accept: 'application/json' };
  return async (slug: string): Promise<number> => {
    let count = 0;
    let start = 0;
    for (;;) {
      const response = await fetch(
        `${emulator.url}/rest/api/latest/projects/${emulator.projectKey}/repos/${slug}/webhooks?start=${start}&limit=${PAGE_SIZE}`,
        { headers },
      );
      if (!response.ok) throw new Error(`fetch baseline got ${response.status}`);
      const page = (await response.json()) as { values: unknown[]; isLastPage: boolean; nextPageStart?: number };
      count += page.values.length;
      if (page.isLastPage) return count;
      start = page.nextPageStart!;
    }
  };
}

function throughClient(client: BitbucketClient, projectKey: string) {
  return async (slug: string): Promise<number> =>
    (await client.repositoryWebhooks.list(projectKey, slug, { pageSize: PAGE_SIZE }).toArray()).length;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function main(): Promise<void> {
  const emulator = await startEmulatorProcess();
  try {
    const client = new BitbucketClient({ baseUrl: emulator.url, token: emulator.token, concurrency: CONCURRENCY });
    const contenders = { client: throughClient(client, emulator.projectKey), fetch: bareFetch(emulator) };
    const expected = REPOSITORIES * WEBHOOKS_PER_REPOSITORY;

    // Warm-up: JIT of both sides (two passes each, so optimised code is in place), keep-alive sockets.
    for (let pass = 0; pass < 2; pass += 1) {
      await pool(emulator.slugs, contenders.client);
      await pool(emulator.slugs, contenders.fetch);
    }

    const rates: Record<'client' | 'fetch', number[]> = { client: [], fetch: [] };
    const cpuPerRequestUs: Record<'client' | 'fetch', number[]> = { client: [], fetch: [] };
    for (let round = 0; round < ROUNDS; round += 1) {
      const order: Array<'client' | 'fetch'> = round % 2 === 0 ? ['client', 'fetch'] : ['fetch', 'client'];
      for (const name of order) {
        const { webhooks, ms, cpuMs } = await pool(emulator.slugs, contenders[name]);
        if (webhooks !== expected) throw new Error(`${name} saw ${webhooks} webhooks, expected ${expected}`);
        rates[name].push((REPOSITORIES / ms) * 1000);
        cpuPerRequestUs[name].push((cpuMs * 1000) / REPOSITORIES);
      }
      process.stdout.write(
        `round ${round + 1} (${order.join(' then ')}): client ${rates.client[round]!.toFixed(0)} repos/s, fetch ${rates.fetch[round]!.toFixed(0)} repos/s\n`,
      );
    }
    client.close();

    const clientRate = median(rates.client);
    const fetchRate = median(rates.fetch);
    // Each round's pair ran back to back under the same machine load, so their ratio is steadier than
    // the ratio of the medians on a shared machine.
    const pairRatio = median(rates.client.map((rate, round) => rate / rates.fetch[round]!));
    const clientCpu = median(cpuPerRequestUs.client);
    const fetchCpu = median(cpuPerRequestUs.fetch);
    process.stdout.write(
      [
        '',
        `webhooks of ${REPOSITORIES} repositories (${WEBHOOKS_PER_REPOSITORY} each), concurrency ${CONCURRENCY}, median of ${ROUNDS} rounds`,
        `  BitbucketClient  ${clientRate.toFixed(0)} repositories/s  (${clientCpu.toFixed(0)} µs CPU per request in this process)`,
        `  bare fetch       ${fetchRate.toFixed(0)} repositories/s  (${fetchCpu.toFixed(0)} µs CPU per request in this process)`,
        `  ratio client/fetch ${(clientRate / fetchRate).toFixed(2)} of the medians, ${pairRatio.toFixed(2)} median per round (target >= 0.80)`,
        `  CPU per request fetch/client ${(fetchCpu / clientCpu).toFixed(2)}`,
        // For `npm run bench`'s summary table.
        `BENCH_RESULT ${JSON.stringify({ metric: 'webhook listing client/fetch (median per round)', value: Number(pairRatio.toFixed(2)), target: 0.8 })}`,
        '',
      ].join('\n'),
    );
    await benchArchive({ url: emulator.url, token: emulator.token, projectKey: emulator.projectKey, ...emulator.archive });
  } finally {
    emulator.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
