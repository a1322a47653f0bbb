/**
 * A pool of workers (SPEC §7.2): up to `concurrency` runs at once, claimed from the control plane's queue by polling
 * (a wake-up makes an idle pool look at once, e.g. when a run was just queued by this process), and a sweep of runs
 * whose worker was lost. `liftgate serve --workers N` embeds one; `liftgate worker` is one on its own.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import type { WorkerWork } from '../domain/run-work';
import { executeRun, type ExecutionDeps, type ExecutionOptions } from './execute';
import { ProcessLauncher } from './launcher';

export interface PoolOptions extends Omit<ExecutionOptions, 'workerId' | 'launcher'> {
  concurrency: number;
  /** How often an idle pool looks for work (graphile/worker: 2 s). */
  pollMs: number;
  /** How often lost runs are swept. */
  sweepMs: number;
  /** Errors of the loop itself (the store unreachable, …); runs record their own. */
  onError(error: unknown): void;
}

export const DEFAULT_LEASE_MS = 30_000;
export const DEFAULT_GRACE_MS = 20_000;
export const DEFAULT_RUN_TIMEOUT_MS = 60 * 60 * 1000;

export function newWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

export class WorkerPool {
  readonly workerId = newWorkerId();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private readonly launcher: ProcessLauncher;

  constructor(
    private readonly options: PoolOptions,
    private readonly deps: ExecutionDeps,
  ) {
    mkdirSync(options.workDir, { recursive: true, mode: 0o700 });
    this.launcher = new ProcessLauncher(options.graceMs);
  }

  start(): void {
    if (this.options.concurrency <= 0 || this.loop !== null) return;
    this.loop = this.claimLoop();
    this.sweepTimer = setInterval(() => void this.sweep(), this.options.sweepMs);
    this.sweepTimer.unref();
    void this.sweep();
  }

  /**
   * Looks for work now instead of at the next poll: runs to claim, or (`feedback`) ended runs that owe feedback, which
   * the sweep posts.
   */
  poke(work: WorkerWork = 'runs'): void {
    if (work === 'feedback') void this.sweep();
    else this.wake?.();
  }

  /** How many runs this pool executes right now. */
  get busy(): number {
    return this.running.size;
  }

  /** Stops claiming, and waits for the runs in hand to end (or to reach UNCONFIRMED). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer);
    this.wake?.();
    await this.loop;
    await Promise.all(this.running);
    this.launcher.close();
    await this.deps.feedback.settled();
  }

  private async claimLoop(): Promise<void> {
    while (!this.stopped) {
      let claimed = false;
      if (this.running.size < this.options.concurrency) {
        try {
          const run = await this.deps.host.claim(this.workerId, this.options.leaseMs);
          if (run !== null) {
            claimed = true;
            const execution = executeRun(run, { ...this.options, workerId: this.workerId, launcher: this.launcher }, this.deps).finally(() => {
              this.running.delete(execution);
              this.wake?.();
            });
            this.running.add(execution);
          }
        } catch (error) {
          this.options.onError(error);
        }
      }
      if (!claimed && !this.stopped) await this.idle();
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.options.pollMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }

  private async sweep(): Promise<void> {
    try {
      for (const ended of await this.deps.host.sweepLostRuns()) {
        this.deps.feedback.report({
          run: ended.run,
          commit: ended.run.commit ?? '',
          state: ended.state,
          delta: ended.delta,
          failure: ended.failure,
          planText: ended.planText ?? null,
          durationMs: 0,
          url: this.deps.host.runPageUrl(ended.run.stackId, ended.run.id),
        });
      }
    } catch (error) {
      this.options.onError(error);
    }
  }
}
