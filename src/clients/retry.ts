import type { ApiError } from './errors';

/** How one client repeats failed requests (both API clients take these, with the same defaults). */
export interface RetryOptions {
  /** Retries after a 5xx or a connection error (429s are bounded by `maxRateLimitWaitMs` instead). @default 4 */
  maxRetries?: number;
  /** Base of the exponential back-off for 5xx and connection errors. @default 250 */
  baseDelayMs?: number;
  /** Ceiling of one back-off delay. @default 8000 */
  maxDelayMs?: number;
  /**
   * Longest Retry-After the client waits out; a 429 asking for longer fails at once with
   * a rate-limited error (its `retryAfterMs` says how long). @default 60000
   */
  maxRetryAfterMs?: number;
  /**
   * Longest total time one request spends waiting out 429s. A rate limit refuses many clients at once
   * and lets them through a few at a time, so a count of 429s says nothing about how long the wait
   * is; a time budget does. @default 120000
   */
  maxRateLimitWaitMs?: number;
}

export type RetryPolicy = Required<RetryOptions>;

export function resolveRetryPolicy(options: RetryOptions = {}): RetryPolicy {
  const policy: RetryPolicy = {
    maxRetries: options.maxRetries ?? 4,
    baseDelayMs: options.baseDelayMs ?? 250,
    maxDelayMs: options.maxDelayMs ?? 8000,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
    maxRateLimitWaitMs: options.maxRateLimitWaitMs ?? 120_000,
  };
  for (const [name, value] of Object.entries(policy)) {
    if (!Number.isFinite(value) || value < 0 || (name === 'maxRetries' && !Number.isInteger(value))) {
      throw new TypeError(`retry.${name} must be a non-negative ${name === 'maxRetries' ? 'integer' : 'number'}, got ${value}`);
    }
  }
  return policy;
}

/**
 * Delay before retry number `retry` (0-based): exponential, capped, with "equal jitter" — half the
 * delay is fixed so back-off always grows, half is random so clients that failed together do not
 * retry together.
 */
export function backoffDelayMs(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return exponential / 2 + random() * (exponential / 2);
}

/** What one request has used of its retry budget so far. */
export interface RetryBudget {
  /** Retries spent on 5xx answers and connection errors (bounded by `maxRetries`). */
  failures: number;
  /** 429 answers waited out so far. */
  rateLimited: number;
  /** Milliseconds spent waiting on 429s (bounded by `maxRateLimitWaitMs`). */
  rateLimitWaitMs: number;
}

export function freshRetryBudget(): RetryBudget {
  return { failures: 0, rateLimited: 0, rateLimitWaitMs: 0 };
}

/**
 * Delay before repeating a request after a 5xx or a connection error (back-off with jitter), or undefined
 * once `maxRetries` are spent. Records the retry in `budget`.
 */
export function failureDelayMs(policy: RetryPolicy, budget: RetryBudget, random: () => number = Math.random): number | undefined {
  if (budget.failures >= policy.maxRetries) return undefined;
  budget.failures += 1;
  return backoffDelayMs(policy, budget.failures - 1, random);
}

/**
 * Delay before repeating a request refused with 429, or undefined to give up: Retry-After (or the
 * back-off when the server gave none) plus up to a quarter more, at most 1 s, so the clients a rate
 * limit refused together do not all come back in the same millisecond and get refused together
 * again. Gives up when the server asks for longer than `maxRetryAfterMs` or when the wait would take
 * the request past `maxRateLimitWaitMs` in all. Records the wait in `budget`.
 */
export function rateLimitDelayMs(
  policy: RetryPolicy,
  budget: RetryBudget,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number | undefined {
  if (retryAfterMs !== undefined && retryAfterMs > policy.maxRetryAfterMs) return undefined;
  const base = retryAfterMs ?? backoffDelayMs(policy, budget.rateLimited, random);
  const delay = base + random() * Math.min(base / 4, 1000);
  if (budget.rateLimitWaitMs + delay > policy.maxRateLimitWaitMs) return undefined;
  budget.rateLimited += 1;
  budget.rateLimitWaitMs += delay;
  return delay;
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3); Bitbucket and the control plane send seconds. */
export function parseRetryAfterMs(header: string | undefined, now: number = Date.now()): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const value = header.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Network error codes raised before a request could reach the server (no connection was made),
 * so even a non-idempotent create can safely be sent again.
 */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function failedBeforeReachingServer(error: ApiError): boolean {
  return error.kind === 'connection' && error.networkCode !== undefined && NOT_SENT_CODES.has(error.networkCode);
}

/**
 * Failures after which the server may or may not have acted on the request: a 5xx, a timeout, a
 * connection reset. Idempotent requests simply retry; creates must first look for what they made.
 */
export function isTransient(error: ApiError): boolean {
  if (error.kind === 'connection' && error.networkCode !== undefined && FINAL_CODES.has(error.networkCode)) return false;
  return error.kind === 'server' || error.kind === 'connection';
}

/**
 * Failures no retry can mend: no VCS agent of the pool is connected (SPEC §9: such calls fail at once), and an agent
 * that refused the request (its allowlist says the same every time).
 */
const FINAL_CODES = new Set(['ENOAGENT', 'EAGENTREFUSED']);

/** How the clients wait between attempts: real time, or a test's own clock. */
export interface Clock {
  /** Milliseconds since the epoch (Retry-After may be an HTTP date). */
  now(): number;
  /** Resolves after `ms`, or earlier once `signal` is aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted === true) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};
