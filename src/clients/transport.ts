import { pipeline, type Readable } from 'node:stream';
import axios, { type AxiosResponse } from 'axios';
import type { z } from 'zod';
import { agentAdapter, type AgentRoute } from './agent-route';
import { ConcurrencyLimiter } from './concurrency';
import { kindOfStatus, STATUS_SUMMARIES, type ApiError, type ApiErrorDetails, type ErrorFactory, type FailureKind } from './errors';
import { byteLimit, createTextHttp, readCapped, type TextHttp } from './http';
import { PagedList, type PageFetcher, type PagingOptions } from './paging';
import {
  failureDelayMs,
  failedBeforeReachingServer,
  freshRetryBudget,
  isTransient,
  parseRetryAfterMs,
  rateLimitDelayMs,
  resolveRetryPolicy,
  systemClock,
  type Clock,
  type RetryBudget,
  type RetryOptions,
  type RetryPolicy,
} from './retry';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | readonly string[] | undefined;

/**
 * How a failed request may be repeated:
 * - `idempotent`: GET, PUT, PATCH, DELETE — retry 429, 5xx and connection errors.
 * - `create`: a write that must not happen twice — retry only 429 and failures before the request
 *   reached the server; other failures go back to the caller, which looks for what was made.
 */
export type RetryMode = 'idempotent' | 'create';

export interface RequestSpec {
  method: HttpMethod;
  /** Path below the base URL, e.g. `/rest/api/latest/projects`, segments already encoded (see segment). */
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  retryMode: RetryMode;
  /** Send credentials (default). Bitbucket's application-properties is asked anonymously. */
  authenticate?: boolean;
  /** Cancels the request and any retry still to come (Terraform's StopProvider, Ctrl-C). */
  signal?: AbortSignal;
}

export interface JsonRequestSpec<T> extends RequestSpec {
  /** Shape of a 2xx body; `null` when the answer has none (204). */
  schema: z.ZodType<T> | null;
  /** For DELETE: a 404 on a retry means an earlier attempt that got no answer did the delete. */
  notFoundOnRetryMeansDone?: boolean;
  /** A 204 answer is a value (null), not a body to parse: "nothing there yet". */
  noContentIsNull?: boolean;
}

/** What one HTTP attempt did, for logging and metrics (never its credentials). */
export interface RequestEvent {
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
  /** Normalised base URL, without a trailing slash and without credentials. */
  baseUrl: string;
  /** The Authorization header's value; a function so the secret is not a field anyone can print. */
  authorization: () => string;
  /** Headers an API wants on some requests besides Accept, User-Agent, Authorization and Content-Type. */
  headers?: (method: HttpMethod) => Record<string, string>;
  /** Response headers that carry the server's request id, in order of preference (lower case). */
  requestIdHeaders: readonly string[];
  /** How the API's failures become errors (reading what the server said in its error body). */
  errors: ErrorFactory;
  retry?: RetryOptions;
  /** Requests in flight at once from this transport; unlimited when absent (the sockets still queue). */
  concurrency?: number;
  /** Keep-alive sockets per host. */
  maxSockets: number;
  /** Per attempt. */
  timeoutMs: number;
  userAgent: string;
  /** Largest JSON body read, in bytes; a larger answer fails (response-too-large). @default 64 MiB */
  maxJsonBytes?: number;
  /** Called after every HTTP attempt (logging, metrics); it must not throw. */
  onRequest?: (event: RequestEvent) => void;
  /** Which resolved addresses connections may use (see createTextHttp); default: any. */
  allowAddress?: (address: string) => boolean;
  /** For a `private://<pool>` base URL: the VCS agents that carry its requests. */
  agents?: AgentRoute;
  /** How waits between attempts pass. @default real time */
  clock?: Clock;
}

/** A parsed JSON answer. */
export interface JsonAnswer<T> {
  data: T;
  status: number;
  requestId?: string;
  /** The URL requested (without credentials). */
  url: string;
  headers: Record<string, string | undefined>;
}

/** A 2xx answer whose body is read as it arrives. */
export interface StreamAnswer {
  status: number;
  requestId?: string;
  url: string;
  headers: Record<string, string | undefined>;
  /** The body, failing (response-too-large) once it passes the cap. Read or destroy it. */
  body: Readable;
}

/** Codes of AgentRouteError (agent-route.ts) whose message is the summary. */
const AGENT_CODES = new Set(['ENOAGENT', 'EAGENTREFUSED', 'EAGENTLOST', 'EAGENTUPSTREAM']);

const DEFAULT_MAX_JSON_BYTES = 64 * 1024 * 1024;
/** What is read of an error answer's body for the server's own message. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

type Attempt<T> = { ok: true; answer: T } | { ok: false; error: ApiError };

/**
 * The one place HTTP happens for both API clients: builds URLs, adds credentials and the API's headers, runs each
 * attempt under the concurrency limit, applies the retry policy (429s waited out within a time budget, 5xx and
 * connection errors backed off with jitter, creates never repeated once they may have reached the server), honours
 * an AbortSignal on every call, parses every JSON answer with zod, streams raw bodies under a size cap, and turns
 * every failure into a typed error of the API.
 */
export class Transport {
  readonly retryPolicy: RetryPolicy;
  readonly clock: Clock;
  private readonly limiter: ConcurrencyLimiter | null;
  private readonly http: TextHttp;
  private readonly maxJsonBytes: number;

  constructor(private readonly options: TransportOptions) {
    this.retryPolicy = resolveRetryPolicy(options.retry);
    this.clock = options.clock ?? systemClock;
    this.limiter = options.concurrency === undefined ? null : new ConcurrencyLimiter(options.concurrency);
    this.http = createTextHttp({
      timeoutMs: options.timeoutMs,
      maxSockets: options.maxSockets,
      allowAddress: options.allowAddress,
      adapter: options.agents === undefined ? undefined : agentAdapter(options.agents),
    });
    this.maxJsonBytes = options.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES;
  }

  /** Sends the request, retrying per policy; resolves to the parsed body or throws the API's error. */
  async json<T>(spec: JsonRequestSpec<T>): Promise<JsonAnswer<T>> {
    const deleted = (url: string, requestId: string | undefined): JsonAnswer<T> => ({ data: undefined as T, status: 404, requestId, url, headers: {} });
    return this.withRetries(spec, (url, attempt) => this.jsonAttempt(spec, url, attempt), spec.notFoundOnRetryMeansDone === true ? deleted : undefined);
  }

  /**
   * Sends the request, retrying per policy until an answer starts; resolves to a 2xx answer whose body arrives as a
   * stream and fails once more than `maxBytes` came (a Content-Length over it fails at once).
   */
  async stream(spec: RequestSpec & { maxBytes: number }): Promise<StreamAnswer> {
    return this.withRetries(spec, (url, attempt) => this.streamAttempt(spec, url, attempt));
  }

  /** A paged GET as a bounded async iterator (see PagedList); `fetchPage` makes one request per page. */
  paged<T, Cursor>(fetchPage: PageFetcher<T, Cursor>, paging: PagingOptions = {}): PagedList<T, Cursor> {
    return new PagedList(fetchPage, (details) => this.error('page-limit', `more than ${details.maxPages} pages; raise maxPages or narrow the listing`, details), paging);
  }

  /** The API's error for a failure found outside an attempt (a page that breaks the paging rules). */
  error(kind: FailureKind, summary: string, details: ApiErrorDetails): ApiError {
    return this.options.errors({ kind, summary, details, body: '' });
  }

  /** Closes idle keep-alive sockets so a process using the client can exit promptly; new requests reconnect. */
  close(): void {
    this.http.close();
  }

  /**
   * Runs attempts until one succeeds or the policy gives up. `doneOnNotFound`: a 404 on a retry is the answer (a
   * DELETE whose earlier attempt got no answer did the delete).
   */
  private async withRetries<T>(
    spec: RequestSpec,
    attempt: (url: string, number: number) => Promise<Attempt<T>>,
    doneOnNotFound?: (url: string, requestId: string | undefined) => T,
  ): Promise<T> {
    const url = this.url(spec.path, spec.query);
    const budget = freshRetryBudget();
    for (let number = 1; ; number += 1) {
      const outcome = await attempt(url, number);
      if (outcome.ok) return outcome.answer;
      const { error } = outcome;
      if (number > 1 && doneOnNotFound !== undefined && error.kind === 'not-found') return doneOnNotFound(url, error.requestId);
      const delay = spec.signal?.aborted === true ? undefined : this.retryDelay(error, spec.retryMode, budget);
      if (delay === undefined) throw error;
      await this.clock.sleep(delay, spec.signal);
      // Given up while waiting: the last real failure says more than a cancelled attempt would.
      if (spec.signal?.aborted === true) throw error;
    }
  }

  /** Milliseconds to wait before the next attempt, or undefined when the error is final. */
  private retryDelay(error: ApiError, mode: RetryMode, budget: RetryBudget): number | undefined {
    // A 429 is answered before the server does any work, so even a create may repeat it.
    if (error.kind === 'rate-limited') return rateLimitDelayMs(this.retryPolicy, budget, error.retryAfterMs);
    if (!isTransient(error)) return undefined;
    if (mode === 'create' && !failedBeforeReachingServer(error)) return undefined;
    return failureDelayMs(this.retryPolicy, budget);
  }

  /** The full URL of a path and query, as requests and errors name it. */
  url(path: string, query?: Record<string, QueryValue>): string {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const item of value) params.append(name, item);
      else params.append(name, String(value));
    }
    const search = params.toString();
    return `${this.options.baseUrl}${path}${search === '' ? '' : `?${search}`}`;
  }

  private headers(spec: RequestSpec): Record<string, string> {
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': this.options.userAgent, ...this.options.headers?.(spec.method) };
    if (spec.authenticate !== false) headers.Authorization = this.options.authorization();
    if (spec.body !== undefined) headers['Content-Type'] = 'application/json';
    return headers;
  }

  /** One HTTP exchange under the concurrency limit; a network failure becomes the API's connection error. */
  private async exchange<D>(spec: RequestSpec, url: string, attempt: number, responseType: 'text' | 'stream'): Promise<Attempt<AxiosResponse<D>>> {
    const started = performance.now();
    const report = (status: number | undefined) =>
      this.options.onRequest?.({ method: spec.method, url, body: spec.body, attempt, status, durationMs: performance.now() - started });
    const send = () =>
      this.http.axios.request<D>({
        method: spec.method,
        url,
        headers: this.headers(spec),
        data: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        signal: spec.signal,
        responseType,
        maxContentLength: responseType === 'text' ? this.maxJsonBytes : -1,
      });
    try {
      const response = await (this.limiter === null ? send() : this.limiter.run(send));
      report(response.status);
      return { ok: true, answer: response };
    } catch (error) {
      // Only network failures become errors of the API; anything else is a bug to surface as is.
      if (!axios.isAxiosError(error)) throw error;
      report(error.response?.status);
      return { ok: false, error: this.networkFailure(error.code, error.message, spec.method, url) };
    }
  }

  private async jsonAttempt<T>(spec: JsonRequestSpec<T>, url: string, attempt: number): Promise<Attempt<JsonAnswer<T>>> {
    const exchanged = await this.exchange<string>(spec, url, attempt, 'text');
    if (!exchanged.ok) return exchanged;
    const response = exchanged.answer;
    const text = typeof response.data === 'string' ? response.data : '';
    const requestId = this.requestIdOf(response);
    const headers = headerRecord(response.headers);
    if (response.status < 200 || response.status > 299) return { ok: false, error: this.statusFailure(spec.method, url, response.status, requestId, headers, text) };
    if (spec.schema === null) return { ok: true, answer: { data: undefined as T, status: response.status, requestId, url, headers } };
    if (response.status === 204 && spec.noContentIsNull === true) return { ok: true, answer: { data: null as T, status: 204, requestId, url, headers } };
    const details = { method: spec.method, url, status: response.status, requestId };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { ok: false, error: this.error('response-parse', `status ${response.status} body is not JSON`, details) };
    }
    const parsed = spec.schema.safeParse(json);
    if (parsed.success) return { ok: true, answer: { data: parsed.data, status: response.status, requestId, url, headers } };
    const problems = parsed.error.issues.slice(0, 5).map((issue) => ({
      path: issue.path.length === 0 ? '(body)' : issue.path.map(String).join('.'),
      message: issue.message,
    }));
    const summary = `unexpected response: ${problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ')}`;
    return { ok: false, error: this.error('response-parse', summary, { ...details, fieldPaths: problems.map((problem) => problem.path) }) };
  }

  private async streamAttempt(spec: RequestSpec & { maxBytes: number }, url: string, attempt: number): Promise<Attempt<StreamAnswer>> {
    const exchanged = await this.exchange<Readable>(spec, url, attempt, 'stream');
    if (!exchanged.ok) return exchanged;
    const response = exchanged.answer;
    const requestId = this.requestIdOf(response);
    const headers = headerRecord(response.headers);
    if (response.status < 200 || response.status > 299) {
      const text = await readCapped(response.data, MAX_ERROR_BODY_BYTES);
      return { ok: false, error: this.statusFailure(spec.method, url, response.status, requestId, headers, text) };
    }
    const tooLarge = () => this.error('response-too-large', `the body is larger than ${spec.maxBytes} bytes`, { method: spec.method, url, status: response.status, requestId, maxBytes: spec.maxBytes });
    const declared = Number(headers['content-length']);
    if (Number.isFinite(declared) && declared > spec.maxBytes) {
      response.data.destroy();
      return { ok: false, error: tooLarge() };
    }
    // pipeline, unlike pipe, passes a failure of either side on: a reset connection fails the body, and a reader that
    // gives up closes the connection.
    const body = pipeline(response.data, byteLimit(spec.maxBytes, tooLarge), () => undefined);
    return { ok: true, answer: { status: response.status, requestId, url, headers, body } };
  }

  private statusFailure(method: string, url: string, status: number, requestId: string | undefined, headers: Record<string, string | undefined>, body: string): ApiError {
    const kind = kindOfStatus(status);
    const retryAfterMs = kind === 'rate-limited' ? parseRetryAfterMs(headers['retry-after'], this.clock.now()) : undefined;
    return this.options.errors({ kind, summary: STATUS_SUMMARIES[kind] as string, details: { method, url, status, requestId, retryAfterMs }, body });
  }

  /**
   * A failure without an answer. The axios error is not kept: its `config` holds the Authorization header; `cause`
   * gets a fresh Error with the code only.
   */
  private networkFailure(code: string | undefined, message: string, method: string, url: string): ApiError {
    if (code === 'ERR_BAD_RESPONSE' && /maxContentLength/.test(message)) {
      return this.error('response-too-large', `the body is larger than ${this.maxJsonBytes} bytes`, { method, url, maxBytes: this.maxJsonBytes });
    }
    const timedOut = code === 'ETIMEDOUT' || code === 'ECONNABORTED';
    // Through a VCS agent, its own words say what happened (no agent connected, refused, gone); they hold no secrets.
    const summary =
      code === 'ERR_CANCELED'
        ? 'cancelled'
        : code !== undefined && AGENT_CODES.has(code)
          ? message
          : timedOut
            ? `no answer within ${this.options.timeoutMs} ms`
            : `could not connect${code === undefined ? '' : `: ${code}`}`;
    const cause = new Error(code ?? 'network error');
    cause.name = 'NetworkError';
    return this.error('connection', summary, { method, url, cause, networkCode: timedOut ? 'ETIMEDOUT' : code });
  }

  private requestIdOf(response: AxiosResponse): string | undefined {
    for (const name of this.options.requestIdHeaders) {
      const value = headerValue(response.headers[name]);
      if (value !== undefined) return value;
    }
    return undefined;
  }
}

function headerValue(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.length > 0 ? String(value[0]) : undefined;
  return value === undefined || value === null ? undefined : String(value);
}

function headerRecord(headers: AxiosResponse['headers']): Record<string, string | undefined> {
  const record: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) record[name.toLowerCase()] = headerValue(value);
  return record;
}
