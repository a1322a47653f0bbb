import axios, { type AxiosError, type AxiosResponse } from 'axios';
import { createTextHttp, type TextHttp } from '../http';
import type { z } from 'zod';
import { ConcurrencyLimiter } from './concurrency';
import {
  BitbucketConnectionError,
  BitbucketError,
  BitbucketNotFoundError,
  BitbucketRateLimitedError,
  BitbucketResponseParseError,
  errorForStatus,
} from './errors';
import {
  failureDelayMs,
  failedBeforeReachingServer,
  freshRetryBudget,
  isTransient,
  parseRetryAfterMs,
  rateLimitDelayMs,
  resolveRetryPolicy,
  sleep,
  type BitbucketRetryOptions,
  type RetryBudget,
  type RetryPolicy,
} from './retry';
import { PagedList, type PagingOptions } from './paging';
import { errorBodySchema, type BitbucketPage } from './schemas';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type QueryValue = string | number | boolean | readonly string[] | undefined;

/**
 * How a failed request may be repeated:
 * - `idempotent`: GET, PUT, DELETE — retry 429, 5xx and connection errors.
 * - `create`: a write that must not happen twice — retry only 429 and failures before the request
 *   reached the server; other failures go back to the caller, which looks for what was made.
 */
export type RetryMode = 'idempotent' | 'create';

export interface RequestSpec<T> {
  method: HttpMethod;
  /** Path below the base URL, e.g. `/rest/api/latest/projects`, segments already encoded. */
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** Shape of a 2xx body; `null` when Bitbucket answers without one (204). */
  schema: z.ZodType<T> | null;
  retryMode: RetryMode;
  /** For DELETE: a 404 on a retry means an earlier attempt that got no answer did the delete. */
  notFoundOnRetryMeansDone?: boolean;
  /** Send credentials (default). application-properties is anonymous so reachability is told apart from auth. */
  authenticate?: boolean;
}

export interface BitbucketRequestEvent {
  method: HttpMethod;
  url: string;
  /** The JSON body sent, if any (it may hold a webhook secret: treat it like the request itself). */
  body: unknown;
  /** 1 for the first attempt, 2 for the first retry, … */
  attempt: number;
  /** HTTP status, or undefined when no answer came. */
  status?: number;
  /** From the call to the answer, including any wait for a free concurrency slot. */
  durationMs: number;
}

export interface TransportOptions {
  baseUrl: string;
  authorization: () => string;
  retry?: BitbucketRetryOptions;
  concurrency: number;
  timeoutMs: number;
  userAgent: string;
  onRequest?: (event: BitbucketRequestEvent) => void;
  allowAddress?: (address: string) => boolean;
}

export interface TransportResponse<T> {
  data: T;
  status: number;
  requestId?: string;
  /** The URL requested (without credentials). */
  url: string;
}

/**
 * The one place HTTP happens: builds URLs, adds auth and Bitbucket's headers, runs each attempt
 * under the client's concurrency limit, applies the retry policy and parses every answer with zod.
 */
export class Transport {
  readonly retryPolicy: RetryPolicy;
  private readonly limiter: ConcurrencyLimiter;
  private readonly http: TextHttp;

  constructor(private readonly options: TransportOptions) {
    this.retryPolicy = resolveRetryPolicy(options.retry);
    this.limiter = new ConcurrencyLimiter(options.concurrency);
    // One keep-alive socket per concurrent request.
    this.http = createTextHttp({ timeoutMs: options.timeoutMs, maxSockets: options.concurrency, allowAddress: options.allowAddress });
  }

  private url(path: string, query?: Record<string, QueryValue>): string {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const item of value) params.append(name, item);
      else params.append(name, String(value));
    }
    const search = params.toString();
    return `${this.options.baseUrl}${path}${search === '' ? '' : `?${search}`}`;
  }

  /** Sends the request, retrying per policy; resolves to the parsed body or throws a BitbucketError. */
  async send<T>(spec: RequestSpec<T>): Promise<TransportResponse<T>> {
    const url = this.url(spec.path, spec.query);
    const budget = freshRetryBudget();
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await this.attempt(spec, url, attempt);
      if (!(outcome instanceof BitbucketError)) return outcome;
      if (attempt > 1 && spec.notFoundOnRetryMeansDone === true && outcome instanceof BitbucketNotFoundError) {
        return { data: undefined as T, status: 404, requestId: outcome.requestId, url };
      }
      const delay = this.retryDelay(outcome, spec.retryMode, budget);
      if (delay === undefined) throw outcome;
      await sleep(delay);
    }
  }

  /** Milliseconds to wait before the next attempt, or undefined when the error is final. */
  private retryDelay(error: BitbucketError, mode: RetryMode, budget: RetryBudget): number | undefined {
    // A 429 is answered before Bitbucket does any work, so even a create may repeat it.
    if (error instanceof BitbucketRateLimitedError) return rateLimitDelayMs(this.retryPolicy, budget, error.retryAfterMs);
    if (!isTransient(error)) return undefined;
    if (mode === 'create' && !failedBeforeReachingServer(error)) return undefined;
    return failureDelayMs(this.retryPolicy, budget);
  }

  /** A paged GET as a bounded async iterator; `start` and `limit` are added per page. */
  paged<T>(
    path: string,
    query: Record<string, QueryValue>,
    schema: z.ZodType<BitbucketPage<T>>,
    paging: PagingOptions = {},
  ): PagedList<T> {
    return new PagedList<T>(async (start, limit) => {
      const { data, url } = await this.send({ method: 'GET', path, query: { ...query, start, limit }, schema, retryMode: 'idempotent' });
      return { page: data, method: 'GET', url };
    }, paging);
  }

  /** Closes idle keep-alive sockets so a process using the client can exit promptly. */
  close(): void {
    this.http.close();
  }

  private async attempt<T>(spec: RequestSpec<T>, url: string, attempt: number): Promise<TransportResponse<T> | BitbucketError> {
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': this.options.userAgent };
    if (spec.authenticate !== false) headers.Authorization = this.options.authorization();
    if (spec.method !== 'GET') headers['X-Atlassian-Token'] = 'no-check';
    const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    if (body !== undefined) headers['Content-Type'] = 'application/json';

    const started = performance.now();
    let response: AxiosResponse<string>;
    try {
      response = await this.limiter.run(() =>
        this.http.axios.request<string>({ method: spec.method, url, headers, data: body }),
      );
    } catch (error) {
      // Only network failures become BitbucketConnectionError; anything else is a bug to surface as is.
      if (!axios.isAxiosError(error)) throw error;
      this.report(spec, url, attempt, undefined, started);
      return connectionError(error, spec.method, url, this.options.timeoutMs);
    }
    this.report(spec, url, attempt, response.status, started);

    const requestId = headerValue(response.headers['x-arequestid']) ?? headerValue(response.headers['x-request-id']);
    const text = typeof response.data === 'string' ? response.data : '';
    if (response.status >= 200 && response.status < 300) {
      return parseBody(spec, url, response.status, requestId, text);
    }
    return errorForStatus(response.status, {
      method: spec.method,
      url,
      messages: errorMessages(text),
      requestId,
      retryAfterMs: response.status === 429 ? parseRetryAfterMs(headerValue(response.headers['retry-after'])) : undefined,
    });
  }

  private report(spec: RequestSpec<unknown>, url: string, attempt: number, status: number | undefined, started: number): void {
    this.options.onRequest?.({
      method: spec.method,
      url,
      body: spec.body,
      attempt,
      status,
      durationMs: performance.now() - started,
    });
  }
}

function parseBody<T>(
  spec: RequestSpec<T>,
  url: string,
  status: number,
  requestId: string | undefined,
  text: string,
): TransportResponse<T> | BitbucketError {
  if (spec.schema === null) return { data: undefined as T, status, requestId, url };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return new BitbucketResponseParseError(`status ${status} body is not JSON`, {
      method: spec.method,
      url,
      status,
      requestId,
      fieldPaths: [],
    });
  }
  const parsed = spec.schema.safeParse(json);
  if (parsed.success) return { data: parsed.data, status, requestId, url };
  const problems = parsed.error.issues.slice(0, 5).map((issue) => ({
    path: issue.path.length === 0 ? '(body)' : issue.path.map(String).join('.'),
    message: issue.message,
  }));
  return new BitbucketResponseParseError(
    `unexpected response: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
    { method: spec.method, url, status, requestId, fieldPaths: problems.map((p) => p.path) },
  );
}

/** Bitbucket's `errors[].message` list; other bodies (the XSRF page is HTML) yield none. */
function errorMessages(text: string): string[] {
  if (text === '') return [];
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(text));
    if (!parsed.success) return [];
    return parsed.data.errors.map((e) => e.message).filter((m): m is string => typeof m === 'string' && m !== '');
  } catch {
    return [];
  }
}

function headerValue(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.length > 0 ? String(value[0]) : undefined;
  return value === undefined || value === null ? undefined : String(value);
}

/**
 * Turns a thrown axios/network error into a BitbucketConnectionError. The axios error is not kept:
 * its `config` holds the Authorization header. `cause` gets a fresh Error with the code only.
 */
function connectionError(error: AxiosError, method: string, url: string, timeoutMs: number): BitbucketConnectionError {
  const code = error.code;
  const timedOut = code === 'ETIMEDOUT' || code === 'ECONNABORTED';
  const summary = timedOut ? `no answer within ${timeoutMs} ms` : `could not connect${code === undefined ? '' : `: ${code}`}`;
  const cause = new Error(code ?? 'network error');
  cause.name = 'NetworkError';
  return new BitbucketConnectionError(summary, { method, url, cause, code: timedOut ? 'ETIMEDOUT' : code });
}
