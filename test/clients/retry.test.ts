import { backoffDelayMs, failureDelayMs, freshRetryBudget, parseRetryAfterMs, rateLimitDelayMs, resolveRetryPolicy } from '../../src/clients/retry';

describe('retry policy', () => {
  const policy = resolveRetryPolicy({ baseDelayMs: 100, maxDelayMs: 1000 });

  it('backs off exponentially with jitter between half and all of the capped delay', () => {
    expect(backoffDelayMs(policy, 0, () => 0)).toBe(50);
    expect(backoffDelayMs(policy, 0, () => 1)).toBe(100);
    expect(backoffDelayMs(policy, 2, () => 0)).toBe(200);
    expect(backoffDelayMs(policy, 2, () => 0.5)).toBe(300);
    expect(backoffDelayMs(policy, 10, () => 1)).toBe(1000);
    expect(backoffDelayMs(policy, 10, () => 0)).toBe(500);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfterMs('3')).toBe(3000);
    expect(parseRetryAfterMs(' 1.5 ')).toBe(1500);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfterMs('Thu, 01 Jan 2026 00:00:02 GMT', now)).toBe(2000);
    expect(parseRetryAfterMs('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfterMs(undefined)).toBeUndefined();
    expect(parseRetryAfterMs('soon')).toBeUndefined();
  });

  it('has documented defaults and rejects negative or fractional settings by name', () => {
    expect(resolveRetryPolicy()).toEqual({ maxRetries: 4, baseDelayMs: 250, maxDelayMs: 8000, maxRetryAfterMs: 60_000, maxRateLimitWaitMs: 120_000 });
    expect(() => resolveRetryPolicy({ maxRetries: 1.5 })).toThrow('retry.maxRetries must be a non-negative integer');
    expect(() => resolveRetryPolicy({ baseDelayMs: -1 })).toThrow('retry.baseDelayMs');
  });

  it('waits out Retry-After plus up to a quarter more (at most 1 s), so clients refused together come back apart', () => {
    const budget = freshRetryBudget();
    expect(rateLimitDelayMs(policy, budget, 1000, () => 0)).toBe(1000);
    expect(rateLimitDelayMs(policy, budget, 1000, () => 1)).toBe(1250);
    expect(rateLimitDelayMs(policy, budget, 20_000, () => 1)).toBe(21_000);
    expect(budget).toEqual({ failures: 0, rateLimited: 3, rateLimitWaitMs: 23_250 });
  });

  it('backs off on a 429 without Retry-After, growing with each one', () => {
    const budget = freshRetryBudget();
    expect(rateLimitDelayMs(policy, budget, undefined, () => 0)).toBe(50);
    expect(rateLimitDelayMs(policy, budget, undefined, () => 0)).toBe(100);
    expect(rateLimitDelayMs(policy, budget, undefined, () => 0)).toBe(200);
  });

  it('bounds 429s by total waiting time, not by count, and refuses a Retry-After beyond maxRetryAfterMs', () => {
    const tight = resolveRetryPolicy({ maxRetries: 0, maxRetryAfterMs: 5000, maxRateLimitWaitMs: 10_000 });
    const budget = freshRetryBudget();
    // maxRetries 0 does not stop 429 retries: ten 1-second waits fit in the 10-second budget.
    for (let i = 0; i < 10; i += 1) expect(rateLimitDelayMs(tight, budget, 1000, () => 0)).toBe(1000);
    expect(rateLimitDelayMs(tight, budget, 1000, () => 0)).toBeUndefined();
    expect(budget.rateLimitWaitMs).toBe(10_000);
    expect(rateLimitDelayMs(tight, freshRetryBudget(), 6000, () => 0)).toBeUndefined();
    expect(rateLimitDelayMs(resolveRetryPolicy({ maxRateLimitWaitMs: 0 }), freshRetryBudget(), 1, () => 0)).toBeUndefined();
  });

  it('spends maxRetries on failures only, backing off further with each', () => {
    const budget = freshRetryBudget();
    expect(failureDelayMs(policy, budget, () => 0)).toBe(50);
    expect(failureDelayMs(policy, budget, () => 0)).toBe(100);
    expect(failureDelayMs(resolveRetryPolicy({ maxRetries: 2 }), budget, () => 0)).toBeUndefined();
    expect(budget).toEqual({ failures: 2, rateLimited: 0, rateLimitWaitMs: 0 });
  });
});
