import { BitbucketConnectionError, BitbucketError, BitbucketServerError } from './errors';

export interface BitbucketRetryOptions {
  /** Retries after the first attempt. @default 4 */
  maxRetries?: number;
  /** Base of the exponential back-off for 5xx and connection errors. @default 250 */
  baseDelayMs?: number;
  /** Ceiling of one back-off delay. @default 8000 */
  maxDelayMs?: number;
  /**
   * Longest Retry-After the client waits out; a 429 asking for longer fails at once with
   * BitbucketRateLimitedError (its `retryAfterMs` says how long). @default 60000
   */
  maxRetryAfterMs?: number;
}

export type RetryPolicy = Required<BitbucketRetryOptions>;

export function resolveRetryPolicy(options: BitbucketRetryOptions = {}): RetryPolicy {
  const policy: RetryPolicy = {
    maxRetries: options.maxRetries ?? 4,
    baseDelayMs: options.baseDelayMs ?? 250,
    maxDelayMs: options.maxDelayMs ?? 8000,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
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

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3); Bitbucket sends seconds. */
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

export function failedBeforeReachingServer(error: BitbucketError): boolean {
  return error instanceof BitbucketConnectionError && error.code !== undefined && NOT_SENT_CODES.has(error.code);
}

/**
 * Failures after which the server may or may not have acted on the request: a 5xx, a timeout, a
 * connection reset. Idempotent requests simply retry; creates must first look for what they made.
 */
export function isTransient(error: BitbucketError): boolean {
  return error instanceof BitbucketServerError || error instanceof BitbucketConnectionError;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
