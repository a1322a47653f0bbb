import { errors } from './errors';

/** Rate limiting as Bitbucket DC does it: a token bucket per user (bucket size and refill per second). */
export interface RateLimitSettings {
  capacity: number;
  refillPerSecond: number;
}

/** Fault injection: a share (`rate`, 0..1) of REST requests answers `status` or, with `hang`, never answers. */
export interface FaultSettings {
  rate: number;
  /** A 5xx status; default 500. */
  status: number;
  /** When true, faulted requests hang (no answer until the client gives up) instead of answering `status`. */
  hang: boolean;
  /**
   * When the fault strikes: `before` the request is handled (nothing changes), `after` it was handled (the
   * change is made but the answer is lost, as when a proxy times out), or `either` at random.
   */
  phase: 'before' | 'after' | 'either';
}

function finiteNumber(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw errors.invalid(`${name} must be a number`, name);
  return value;
}

/** Refuses fields a settings body does not have, so a misspelt one is not silently ignored. */
function refuseUnknownFields(body: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(body).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    throw errors.invalid(`unknown field${unknown.length === 1 ? '' : 's'} ${unknown.map((key) => JSON.stringify(key)).join(', ')} (known: ${known.join(', ')})`, unknown[0]);
  }
}

export function parseRateLimitSettings(input: unknown): RateLimitSettings | null {
  const body = (input ?? {}) as Record<string, unknown>;
  if (typeof body !== 'object' || Array.isArray(body)) throw errors.invalid('The body must be a JSON object');
  refuseUnknownFields(body, ['enabled', 'capacity', 'refillPerSecond']);
  if (body.enabled === false) return null;
  const capacity = finiteNumber(body.capacity ?? 60, 'capacity');
  const refillPerSecond = finiteNumber(body.refillPerSecond ?? 5, 'refillPerSecond');
  if (capacity < 1 || !Number.isInteger(capacity)) throw errors.invalid('capacity must be a whole number ≥ 1', 'capacity');
  if (refillPerSecond <= 0) throw errors.invalid('refillPerSecond must be greater than 0', 'refillPerSecond');
  return { capacity, refillPerSecond };
}

export function parseFaultSettings(input: unknown): FaultSettings | null {
  const body = (input ?? {}) as Record<string, unknown>;
  if (typeof body !== 'object' || Array.isArray(body)) throw errors.invalid('The body must be a JSON object');
  refuseUnknownFields(body, ['enabled', 'rate', 'status', 'hang', 'phase']);
  if (body.enabled === false) return null;
  const rate = finiteNumber(body.rate, 'rate');
  if (rate < 0 || rate > 1) throw errors.invalid('rate must be between 0 and 1', 'rate');
  const status = finiteNumber(body.status ?? 500, 'status');
  if (!Number.isInteger(status) || status < 500 || status > 599) {
    throw errors.invalid('status must be a 5xx status code', 'status');
  }
  if (body.hang !== undefined && typeof body.hang !== 'boolean') throw errors.invalid('hang must be a boolean', 'hang');
  const phase = body.phase ?? 'either';
  if (phase !== 'before' && phase !== 'after' && phase !== 'either') {
    throw errors.invalid('phase must be "before", "after" or "either"', 'phase');
  }
  if (rate === 0) return null;
  return { rate, status, hang: body.hang === true, phase };
}

/** Token buckets keyed by principal; `take` answers how many seconds to wait, or 0 when allowed. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updated: number }>();

  constructor(
    readonly settings: RateLimitSettings,
    private readonly clock: () => number,
  ) {}

  take(key: string): number {
    const now = this.clock();
    const { capacity, refillPerSecond } = this.settings;
    const bucket = this.buckets.get(key) ?? { tokens: capacity, updated: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.updated) / 1000) * refillPerSecond);
    bucket.updated = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / refillPerSecond));
  }
}

/** Decides per request whether and when to inject a fault. `random` is injectable so tests are deterministic. */
export class FaultInjector {
  constructor(
    readonly settings: FaultSettings,
    private readonly random: () => number = Math.random,
  ) {}

  /** null: no fault; otherwise the phase in which this request fails. */
  decide(): 'before' | 'after' | null {
    if (this.random() >= this.settings.rate) return null;
    if (this.settings.phase !== 'either') return this.settings.phase;
    return this.random() < 0.5 ? 'before' : 'after';
  }
}
