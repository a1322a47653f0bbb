/**
 * A clock tests move by hand: `sleep` returns at once and moves `now` forward by the time asked for, so code that
 * waits out Retry-After or backs off runs in no real time, and the waits it asked for can be read back.
 */
export class ManualClock {
  #now = Date.parse('2026-01-01T00:00:00Z');
  /** Every wait asked for, in milliseconds, in order. */
  readonly sleeps: number[] = [];

  now(): number {
    return this.#now;
  }

  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.#now += ms;
  }

  /** Moves time forward without anyone waiting. */
  advance(ms: number): void {
    this.#now += ms;
  }
}
