/**
 * How the demo talks to the person watching: one line per step saying what happened, progress while a long
 * step runs (rewritten in place on a terminal, a heartbeat line every few seconds otherwise, so CI logs show
 * the demo is alive), and one loud line with the reason when a step's check does not hold.
 */

/** A check of the demo that did not hold; `details` are printed indented under the failure line. */
export class DemoCheckFailed extends Error {
  override readonly name = 'DemoCheckFailed';

  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

/** Reports what a running step is doing right now (e.g. "liftgate_stack.Network: Creating..."). */
export type Progress = (message: string) => void;

export interface StepOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  /** The terminal's width; the in-place progress line is cut to it so that it never wraps. */
  readonly columns?: number;
}

const HEARTBEAT_MS = 10_000;
const TICK_MS = 250;

function seconds(milliseconds: number): string {
  return `${Math.round(milliseconds / 1000)} s`;
}

export class StepReporter {
  private number = 0;

  constructor(
    private readonly out: StepOutput,
    private readonly total: number,
  ) {}

  private get interactive(): boolean {
    return this.out.isTTY === true;
  }

  /** Prints a line that belongs to no step (headings, --keep instructions). */
  say(line: string): void {
    this.out.write(`${line}\n`);
  }

  /**
   * Runs one step. `work` resolves to the line that says what happened; a thrown error becomes the failure
   * line (its message is the reason) and is re-thrown so the demo stops.
   */
  async step(activity: string, work: (progress: Progress) => Promise<string>, { last = false }: { last?: boolean } = {}): Promise<void> {
    // The last step (stopping) runs even after a failure skipped the ones before it; it keeps its own number.
    this.number = last ? this.total : this.number + 1;
    const label = `[${this.number}/${this.total}]`;
    const started = Date.now();
    let current = '';
    const status = () => `… ${label} ${activity}${current === '' ? '' : `: ${current}`} (${seconds(Date.now() - started)})`;
    const clear = () => {
      if (this.interactive) this.out.write('\r\x1b[2K');
    };
    let lastHeartbeat = started;
    const timer = setInterval(() => {
      if (this.interactive) {
        clear();
        this.out.write(status().slice(0, Math.max(20, (this.out.columns ?? 100) - 1)));
      } else if (Date.now() - lastHeartbeat >= HEARTBEAT_MS) {
        lastHeartbeat = Date.now();
        this.out.write(`  ${status()}\n`);
      }
    }, TICK_MS);
    timer.unref();
    try {
      const line = await work((message) => {
        current = message;
      });
      clearInterval(timer);
      clear();
      const elapsed = Date.now() - started;
      this.out.write(`✓ ${label} ${line}${elapsed >= 1000 ? ` (${seconds(elapsed)})` : ''}\n`);
    } catch (error) {
      clearInterval(timer);
      clear();
      const reason = error instanceof Error ? error.message : String(error);
      this.out.write(`✗ ${label} ${activity} failed: ${reason}\n`);
      if (error instanceof DemoCheckFailed) {
        for (const detail of error.details) this.out.write(`    ${detail}\n`);
      }
      throw error;
    }
  }
}
