/**
 * A control plane (test/server/harness.ts) with a worker pool beside it, whose code comes from an in-memory source:
 * each commit is a map of files, served as the gzipped tar Bitbucket's archive endpoint gives. Feedback reports are
 * recorded. The pool is real: real terraform, the real state server over HTTP, the real store.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { c as createTar } from 'tar';
import type { RunSource } from '../../src/domain/run-work';
import { ControlPlaneRunHost } from '../../src/server/runs/host';
import { SecretBox } from '../../src/server/secrets';
import type { FeedbackSink, RunReport, SourceProvider } from '../../src/worker/host';
import { WorkerPool, type PoolOptions } from '../../src/worker/pool';
import type { TestControlPlane } from '../server/harness';

/** Commits of the fake repository: files by path, or a ready-made archive (hostile ones). */
export class FakeSource implements SourceProvider {
  readonly commits = new Map<string, Record<string, string> | (() => Readable)>();
  readonly heads = new Map<string, string>();
  fetches = 0;

  add(commit: string, files: Record<string, string> | (() => Readable)): string {
    this.commits.set(commit, files);
    return commit;
  }

  async archive(_source: RunSource, commit: string): Promise<Readable> {
    this.fetches += 1;
    const content = this.commits.get(commit);
    if (content === undefined) throw new Error(`commit ${commit} not found in repository`);
    if (typeof content === 'function') return content();
    return tarGz(content);
  }

  async branchHead(_source: RunSource, branch: string): Promise<string> {
    const head = this.heads.get(branch);
    if (head === undefined) throw new Error(`branch ${branch} not found`);
    return head;
  }
}

/** A gzipped tar of these files, as Bitbucket's archive of a commit (no prefix). */
export function tarGz(files: Record<string, string>): Readable {
  const dir = mkdtempSync(join(tmpdir(), 'liftgate-archive-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  const out = new PassThrough();
  const stream = createTar({ gzip: true, cwd: dir, portable: true }, Object.keys(files));
  stream.on('end', () => rmSync(dir, { recursive: true, force: true }));
  (stream as unknown as Readable).pipe(out);
  return out;
}

export class RecordingFeedback implements FeedbackSink {
  readonly reports: RunReport[] = [];
  report(report: RunReport): void {
    this.reports.push(report);
  }
  async settled(): Promise<void> {}
  statesOf(runId: string): string[] {
    return this.reports.filter((report) => report.run.id === runId).map((report) => report.state);
  }
}

export interface RunnerOptions extends Partial<PoolOptions> {}

/** A pool on the control plane's store; `stop()` waits for its runs. */
export function startPool(
  server: TestControlPlane,
  url: string,
  source: SourceProvider,
  feedback: FeedbackSink | ((host: ControlPlaneRunHost) => FeedbackSink),
  options: RunnerOptions = {},
): { pool: WorkerPool; workDir: string; host: ControlPlaneRunHost } {
  const workDir = mkdtempSync(join(tmpdir(), 'liftgate-work-'));
  const host = new ControlPlaneRunHost(server.db, new SecretBox(server.encryptionKey), () => url, () => server.publicUrl);
  const pool = new WorkerPool(
    {
      concurrency: 4,
      pollMs: 100,
      sweepMs: 500,
      workDir,
      terraform: 'terraform',
      runTimeoutMs: 120_000,
      graceMs: 5_000,
      leaseMs: 5_000,
      maxLogBytes: 10 * 1024 * 1024,
      onError: (error) => process.stderr.write(`worker pool: ${String(error)}\n`),
      ...options,
    },
    { host, source, feedback: typeof feedback === 'function' ? feedback(host) : feedback },
  );
  pool.start();
  return { pool, workDir, host };
}

/** Polls a run until `done` says so (or the deadline passes, then fails naming the last state). */
export async function waitForRun(server: TestControlPlane, stackId: string, runId: string, done: (run: any) => boolean, timeoutMs = 90_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await server.request('GET', `/api/v1/stacks/${stackId}/runs/${runId}`);
    if (answer.status === 200 && done(answer.body)) return answer.body;
    if (Date.now() > deadline) throw new Error(`run ${runId} is ${answer.body?.state} after ${timeoutMs} ms: ${JSON.stringify(answer.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export const ended = (run: any): boolean => ['FINISHED', 'FAILED', 'DISCARDED', 'CANCELED'].includes(run.state);

/** The whole log of a run, read as a client tails it. */
export async function readLog(server: TestControlPlane, url: string, stackId: string, runId: string): Promise<string> {
  let offset = 0;
  let text = '';
  for (let i = 0; i < 1000; i++) {
    const response = await fetch(`${url}/api/v1/stacks/${stackId}/runs/${runId}/logs?offset=${offset}`, { headers: { authorization: `Bearer ${server.adminKey}` } });
    const chunk = await response.text();
    text += chunk;
    const next = Number(response.headers.get('x-next-offset'));
    if (next === offset) break;
    offset = next;
  }
  return text;
}

export const commitOf = (n: number): string => n.toString(16).padStart(40, '0');
