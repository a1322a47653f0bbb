/**
 * A counting semaphore: at most `limit` functions run at once, the rest wait in arrival order.
 * One per client instance, so one Bitbucket server never sees more than `concurrency` requests
 * in flight from it however many callers share the client.
 */
export class ConcurrencyLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new TypeError(`concurrency must be an integer of at least 1, got ${limit}`);
    }
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active += 1;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so `active` only drops when nobody waits.
      if (next === undefined) this.active -= 1;
      else next();
    }
  }

  get inFlight(): number {
    return this.active;
  }
}
