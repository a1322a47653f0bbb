/**
 * A concurrency limit that backs off when Bitbucket rate-limits (additive increase, multiplicative decrease,
 * as TCP does). Bitbucket's limit is a token bucket per user whose size and refill are not announced: a fixed
 * concurrency above the refill rate keeps every request retrying against an empty bucket, and a request can
 * lose that race until its retries run out. Halving on a 429 brings the requests in flight down to what the
 * bucket refills while they wait out Retry-After, so every retry finds a token; growing by 1/limit per success
 * finds the server's pace again when it has room.
 */
export class AdaptiveConcurrency {
  private limit: number;
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private lastDecrease = Number.NEGATIVE_INFINITY;

  /**
   * @param max the most tasks in flight, and the start
   * @param coolDownMs one decrease per this period: the 429s of one burst are one signal, not many
   */
  constructor(
    readonly max: number,
    private readonly coolDownMs = 1000,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!Number.isInteger(max) || max < 1) throw new TypeError(`concurrency must be an integer of at least 1, got ${max}`);
    this.limit = max;
  }

  /** Tasks allowed in flight right now. */
  get capacity(): number {
    return Math.max(1, Math.floor(this.limit));
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.capacity) {
      this.active += 1;
    } else {
      // admit() counts the slot for the waiter before waking it, so no newcomer can take it in between.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    try {
      return await task();
    } finally {
      this.active -= 1;
      this.admit();
    }
  }

  /** A request was answered 429. */
  rateLimited(): void {
    const now = this.now();
    if (now - this.lastDecrease < this.coolDownMs) return;
    this.lastDecrease = now;
    this.limit = Math.max(1, this.limit / 2);
  }

  /** A request succeeded. */
  succeeded(): void {
    this.limit = Math.min(this.max, this.limit + 1 / this.limit);
    this.admit();
  }

  private admit(): void {
    while (this.waiting.length > 0 && this.active < this.capacity) {
      this.active += 1;
      (this.waiting.shift() as () => void)();
    }
  }
}
