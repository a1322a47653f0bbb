/**
 * A run's log as the worker writes it (after Atlantis): whole lines, secrets masked before anything is stored or
 * streamed, flushed to the store in chunks, and cut at a cap with a line that says so (the rest is still drained).
 */
import { maskSecrets } from '../domain/environment';

export const DEFAULT_MAX_LOG_BYTES = 10 * 1024 * 1024;
const FLUSH_BYTES = 64 * 1024;
const FLUSH_INTERVAL_MS = 200;

export class RunLog {
  private pending: string[] = [];
  private pendingBytes = 0;
  private written = 0;
  private cut = false;
  private flushing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;

  constructor(
    /** Stores a chunk; false when the run is no longer held (the caller is told through `onLost`). */
    private readonly store: (chunk: Buffer) => Promise<boolean>,
    private masks: readonly string[],
    private readonly maxBytes: number,
    private readonly onLost: () => void,
  ) {
    this.timer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  /** Values to mask from now on (the stack's secrets, once they are known). */
  setMasks(masks: readonly string[]): void {
    this.masks = masks;
  }

  line(text: string): void {
    if (this.cut) return;
    const masked = `${maskSecrets(text, this.masks)}\n`;
    const bytes = Buffer.byteLength(masked);
    if (this.written + this.pendingBytes + bytes > this.maxBytes) {
      this.cut = true;
      const note = `\n[log cut: it reached ${this.maxBytes} bytes; the rest of terraform's output is not stored]\n`;
      this.pending.push(note);
      this.pendingBytes += Buffer.byteLength(note);
      return;
    }
    this.pending.push(masked);
    this.pendingBytes += bytes;
    if (this.pendingBytes >= FLUSH_BYTES) void this.flush();
  }

  /** Writes what is pending; resolves when everything written so far is stored. */
  flush(): Promise<void> {
    if (this.pending.length > 0) {
      const chunk = Buffer.from(this.pending.join(''));
      this.pending = [];
      this.written += this.pendingBytes;
      this.pendingBytes = 0;
      this.flushing = this.flushing.then(async () => {
        if (!(await this.store(chunk).catch(() => true))) this.onLost();
      });
    }
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
