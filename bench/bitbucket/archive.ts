import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { BitbucketClient } from '../../src/clients/bitbucket';

/**
 * The archive half of `npm run bench:bitbucket`: a repository whose tree is ARCHIVE_MIB MiB, downloaded as a tar at
 * its commit through `client.content.archive` and, in the same run and rounds, with a bare `fetch` of the same URL,
 * both piped to a file. Throughput ratio client/fetch (target ≥ 0.9) and the client's peak memory growth while it
 * streams (target < 32 MiB: the archive is never held whole).
 *
 * Memory is measured twice. The timed rounds record the raw peak of RSS and of heap + ArrayBuffers: it includes chunks
 * already written and dropped but not yet collected, so it is set by V8's collection pace and is the same for the bare
 * fetch. A separate untimed pass per contender collects garbage before every sample (every 20 ms): what the process
 * still holds while it streams, i.e. what the client buffers.
 */
export interface ArchiveTarget {
  url: string;
  token: string;
  projectKey: string;
  slug: string;
  commit: string;
  bytes: number;
}

const ROUNDS = Number(process.env.BENCH_ARCHIVE_ROUNDS ?? 6);
const SAMPLE_EVERY_MS = 2;
const RETAINED_SAMPLE_EVERY_MS = 20;

function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Runs `download` while sampling this process's memory; answers the time and the peak growth over the start. */
async function measured(download: () => Promise<void>): Promise<{ ms: number; rssGrowth: number; heapGrowth: number }> {
  collectGarbage();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed + before.arrayBuffers;
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakHeap = Math.max(peakHeap, now.heapUsed + now.arrayBuffers);
  }, SAMPLE_EVERY_MS);
  const started = performance.now();
  try {
    await download();
  } finally {
    clearInterval(sampler);
  }
  return { ms: performance.now() - started, rssGrowth: peakRss - before.rss, heapGrowth: peakHeap - before.heapUsed - before.arrayBuffers };
}

/** Peak growth of heap + ArrayBuffers still referenced (garbage collected before each sample) while `download` runs. */
async function retained(download: () => Promise<void>): Promise<number> {
  collectGarbage();
  const start = process.memoryUsage();
  const base = start.heapUsed + start.arrayBuffers;
  let peak = base;
  const sampler = setInterval(() => {
    collectGarbage();
    const now = process.memoryUsage();
    peak = Math.max(peak, now.heapUsed + now.arrayBuffers);
  }, RETAINED_SAMPLE_EVERY_MS);
  try {
    await download();
  } finally {
    clearInterval(sampler);
  }
  return peak - base;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const MIB = 1024 * 1024;

export async function benchArchive(target: ArchiveTarget): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'liftgate-bench-archive-'));
  const client = new BitbucketClient({ baseUrl: target.url, token: target.token });
  const archiveUrl = `${target.url}/rest/api/latest/projects/${target.projectKey}/repos/${target.slug}/archive?at=${target.commit}&format=tar`;
  const contenders = {
    client: async (file: string) => {
      const answer = await client.content.archive(target.projectKey, target.slug, { commit: target.commit, format: 'tar', maxBytes: 512 * MIB });
      await pipeline(answer.body, createWriteStream(file));
    },
    fetch: async (file: string) => {
      const response = await fetch(archiveUrl, { headers: { Authorization: `Bearer ${target.token}` } });
      if (!response.ok || response.body === null) throw new Error(`fetch baseline got ${response.status}`);
      await pipeline(Readable.fromWeb(response.body as WebReadableStream), createWriteStream(file));
    },
  };
  try {
    const file = join(dir, 'archive.tar');
    for (const name of ['client', 'fetch'] as const) await contenders[name](file);
    const size = statSync(file).size;
    const rates: Record<'client' | 'fetch', number[]> = { client: [], fetch: [] };
    const growth: Record<'client' | 'fetch', number[]> = { client: [], fetch: [] };
    const heapGrowth: Record<'client' | 'fetch', number[]> = { client: [], fetch: [] };
    for (let round = 0; round < ROUNDS; round += 1) {
      const order: Array<'client' | 'fetch'> = round % 2 === 0 ? ['client', 'fetch'] : ['fetch', 'client'];
      for (const name of order) {
        rmSync(file, { force: true });
        const result = await measured(() => contenders[name](file));
        if (statSync(file).size !== size) throw new Error(`${name} wrote ${statSync(file).size} bytes, expected ${size}`);
        rates[name].push(size / MIB / (result.ms / 1000));
        growth[name].push(result.rssGrowth);
        heapGrowth[name].push(result.heapGrowth);
      }
      process.stdout.write(`archive round ${round + 1} (${order.join(' then ')}): client ${rates.client[round]!.toFixed(0)} MiB/s, fetch ${rates.fetch[round]!.toFixed(0)} MiB/s\n`);
    }
    const pairRatio = median(rates.client.map((rate, round) => rate / rates.fetch[round]!));
    const peak = (values: number[]) => (Math.max(...values) / MIB).toFixed(1);
    const held = { client: await retained(() => contenders.client(file)), fetch: await retained(() => contenders.fetch(file)) };
    process.stdout.write(
      [
        '',
        `archive of ${(size / MIB).toFixed(1)} MiB (tar, ${(target.bytes / MIB).toFixed(0)} MiB of files) streamed to disk, median of ${ROUNDS} rounds`,
        `  client.content.archive  ${median(rates.client).toFixed(0)} MiB/s  raw peak growth: RSS ${peak(growth.client)} MiB, heap+buffers ${peak(heapGrowth.client)} MiB; held ${(held.client / MIB).toFixed(1)} MiB`,
        `  bare fetch              ${median(rates.fetch).toFixed(0)} MiB/s  raw peak growth: RSS ${peak(growth.fetch)} MiB, heap+buffers ${peak(heapGrowth.fetch)} MiB; held ${(held.fetch / MIB).toFixed(1)} MiB`,
        `  ratio client/fetch ${pairRatio.toFixed(2)} median per round (target >= 0.90); client memory held while streaming ${(held.client / MIB).toFixed(1)} MiB (target < 32)`,
        `BENCH_RESULT ${JSON.stringify({ metric: '50 MiB archive client/fetch (median per round)', value: Number(pairRatio.toFixed(2)), target: 0.9 })}`,
        `BENCH_RESULT ${JSON.stringify({ metric: 'archive: client memory held while streaming (MiB)', value: Number((held.client / MIB).toFixed(1)), target: 32, lowerIsBetter: true })}`,
        `BENCH_RESULT ${JSON.stringify({ metric: 'archive: client raw peak RSS growth, uncollected garbage included (MiB)', value: Number(peak(growth.client)), lowerIsBetter: true })}`,
        '',
      ].join('\n'),
    );
  } finally {
    client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
