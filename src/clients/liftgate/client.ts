import type { AxiosResponse } from 'axios';
import { z } from 'zod';
import { createTextHttp, type TextHttp } from '../http';
// The retry arithmetic (policy defaults, back-off with jitter, Retry-After) is the same for both APIs;
// only the error classes differ, so the policy module is shared rather than copied.
import {
  failureDelayMs,
  freshRetryBudget,
  parseRetryAfterMs,
  rateLimitDelayMs,
  resolveRetryPolicy,
  sleep,
  type BitbucketRetryOptions,
  type RetryBudget,
  type RetryPolicy,
} from '../bitbucket/retry';
import {
  errorForStatus,
  LiftgateApiError,
  LiftgateConnectionError,
  LiftgateNotFoundError,
  LiftgateRateLimitedError,
  LiftgateResponseParseError,
  LiftgateServerError,
} from './errors';
import {
  deliverySchema,
  environmentVariableSchema,
  errorBodySchema,
  integrationDeletedSchema,
  integrationSchema,
  integrationSummarySchema,
  lockInfoSchema,
  spaceSchema,
  runSchema,
  stackSchema,
  stateVersionSchema,
  type Delivery,
  type EnvironmentVariable,
  type EnvironmentVariableInput,
  type Integration,
  type IntegrationCreateInput,
  type IntegrationDeleted,
  type IntegrationSummary,
  type IntegrationUpdateInput,
  type LockInfo,
  type Page,
  type PageRequest,
  type Run,
  type Space,
  type SpaceCreateInput,
  type SpaceUpdateInput,
  type Stack,
  type StackCreateInput,
  type StackUpdateInput,
  type StateVersion,
} from './schemas';

export type LiftgateRetryOptions = BitbucketRetryOptions;

export interface LiftgateClientOptions {
  /** The control plane's base URL, e.g. `http://127.0.0.1:8710` (without `/api/v1`). */
  endpoint: string;
  /** The API key, sent as `Authorization: Bearer`. Never part of an error or a log line. */
  apiKey: string;
  /** Retry policy of this client; defaults as for the Bitbucket client (4 retries, 250 ms base, 8 s cap). */
  retry?: LiftgateRetryOptions;
  /** Per-attempt timeout. @default 30000 */
  timeoutMs?: number;
  /** @default 'liftgate-client' */
  userAgent?: string;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * How a failed request may be repeated: `idempotent` (GET, PUT, PATCH, DELETE) retries 429, 5xx and connection
 * errors; `create` (POST) retries only 429 and connections refused before anything was sent, because a
 * create the server may have carried out must not be made twice.
 */
type RetryMode = 'idempotent' | 'create';

interface RequestSpec<T> {
  method: Method;
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  schema: z.ZodType<T> | null;
  retryMode: RetryMode;
  /** For DELETE: a 404 on a retry means an earlier attempt that got no answer did the delete. */
  notFoundOnRetryMeansDone?: boolean;
  /** A 204 answer is a value (null), not a body to parse: "nothing there yet". */
  noContentIsNull?: boolean;
  signal?: AbortSignal;
}

/** Per-call options of every resource method. */
export interface CallOptions {
  /** Cancels the request and any retry still to come (Terraform's StopProvider, Ctrl-C). */
  signal?: AbortSignal;
}

const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Client for the Liftgate control-plane REST API (SPEC §6). One instance holds one endpoint, one API key and
 * one retry policy; resource methods are grouped (`spaces`, `integrations`, `stacks`) and every answer is
 * parsed with zod. Failures throw a `LiftgateApiError` subclass per status.
 *
 * ```ts
 * const liftgate = new LiftgateClient({ endpoint: 'http://127.0.0.1:8710', apiKey });
 * const space = await liftgate.spaces.create({ name: 'team-a' });
 * ```
 */
export class LiftgateClient {
  readonly endpoint: string;
  readonly retryPolicy: RetryPolicy;
  readonly spaces: SpacesResource;
  readonly integrations: IntegrationsResource;
  readonly stacks: StacksResource;
  readonly environment: EnvironmentResource;
  readonly state: StateResource;
  private readonly http: TextHttp;
  private readonly timeoutMs: number;
  private readonly apiKey: string;
  private readonly userAgent: string;

  constructor(options: LiftgateClientOptions) {
    this.endpoint = normaliseEndpoint(options.endpoint);
    if (options.apiKey.trim() === '') throw new TypeError('apiKey must not be empty');
    this.apiKey = options.apiKey;
    this.retryPolicy = resolveRetryPolicy(options.retry);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.userAgent = options.userAgent ?? 'liftgate-client';
    this.http = createTextHttp({ timeoutMs: this.timeoutMs, maxSockets: 16 });
    this.spaces = new SpacesResource(this);
    this.integrations = new IntegrationsResource(this);
    this.stacks = new StacksResource(this);
    this.environment = new EnvironmentResource(this);
    this.state = new StateResource(this);
  }

  /** Closes idle keep-alive sockets so a process using the client can exit promptly. */
  close(): void {
    this.http.close();
  }

  /** Sends a request, retrying per policy; resolves to the parsed body or throws a LiftgateApiError. */
  async send<T>(spec: RequestSpec<T>): Promise<T> {
    return (await this.exchange(spec)).data;
  }

  /** Like `send`, with the answer's headers (paged listings carry their next cursor in one). */
  async exchange<T>(spec: RequestSpec<T>): Promise<{ data: T; headers: Record<string, unknown> }> {
    const url = this.url(spec.path, spec.query);
    const budget = freshRetryBudget();
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await this.attempt(spec, url);
      if (!(outcome instanceof LiftgateApiError)) return outcome;
      if (attempt > 1 && spec.notFoundOnRetryMeansDone === true && outcome instanceof LiftgateNotFoundError) {
        return { data: undefined as T, headers: {} };
      }
      const delay = spec.signal?.aborted === true ? undefined : this.retryDelay(outcome, spec.retryMode, budget);
      if (delay === undefined) throw outcome;
      await sleepUnlessAborted(delay, spec.signal);
      // Given up while waiting: the last real failure says more than a cancelled attempt would.
      if (spec.signal?.aborted === true) throw outcome;
    }
  }

  private url(path: string, query?: Record<string, string | undefined>): string {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined) params.append(name, value);
    const search = params.toString();
    return `${this.endpoint}${path}${search === '' ? '' : `?${search}`}`;
  }

  private retryDelay(error: LiftgateApiError, mode: RetryMode, budget: RetryBudget): number | undefined {
    if (error instanceof LiftgateRateLimitedError) return rateLimitDelayMs(this.retryPolicy, budget, error.retryAfterMs);
    const notSent = error instanceof LiftgateConnectionError && error.networkCode !== undefined && NOT_SENT_CODES.has(error.networkCode);
    const transient = error instanceof LiftgateServerError || error instanceof LiftgateConnectionError;
    if (!transient) return undefined;
    if (mode === 'create' && !notSent) return undefined;
    return failureDelayMs(this.retryPolicy, budget);
  }

  private async attempt<T>(spec: RequestSpec<T>, url: string): Promise<{ data: T; headers: Record<string, unknown> } | LiftgateApiError> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'User-Agent': this.userAgent,
      Authorization: `Bearer ${this.apiKey}`,
    };
    const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: AxiosResponse<string>;
    try {
      response = await this.http.axios.request<string>({ method: spec.method, url, headers, data: body, signal: spec.signal });
    } catch (error) {
      return connectionError(error, spec.method, url, this.timeoutMs);
    }
    const requestId = headerValue(response.headers['x-request-id']);
    const text = typeof response.data === 'string' ? response.data : '';
    if (response.status === 204 && spec.noContentIsNull === true) return { data: null as T, headers: { ...response.headers } };
    if (response.status >= 200 && response.status < 300) {
      const parsed = parseBody(spec, url, response.status, requestId, text);
      return parsed instanceof LiftgateApiError ? parsed : { data: parsed.data, headers: { ...response.headers } };
    }
    const error = parseErrorBody(text);
    return errorForStatus(response.status, {
      method: spec.method,
      url,
      code: error?.code,
      apiMessage: error?.message,
      details: error?.details,
      requestId,
      retryAfterMs: response.status === 429 ? parseRetryAfterMs(headerValue(response.headers['retry-after'])) : undefined,
    });
  }
}

/** Waits out a retry delay, or less when the caller gives up meanwhile. */
async function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return sleep(ms);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function normaliseEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new TypeError(`endpoint must be an http(s) URL, got "${endpoint}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`endpoint must be an http(s) URL, got "${endpoint}"`);
  if (url.username !== '' || url.password !== '') throw new TypeError('endpoint must not contain credentials');
  if (url.search !== '' || url.hash !== '') throw new TypeError(`endpoint must not have a query or fragment, got "${endpoint}"`);
  return url.toString().replace(/\/+$/, '');
}

function parseBody<T>(spec: RequestSpec<T>, url: string, status: number, requestId: string | undefined, text: string): { data: T } | LiftgateApiError {
  if (spec.schema === null) return { data: undefined as T };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return new LiftgateResponseParseError(`status ${status} body is not JSON`, { method: spec.method, url, status, requestId });
  }
  const parsed = spec.schema.safeParse(json);
  if (parsed.success) return { data: parsed.data };
  const problems = parsed.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length === 0 ? '(body)' : issue.path.map(String).join('.')}: ${issue.message}`);
  return new LiftgateResponseParseError(`unexpected response: ${problems.join('; ')}`, { method: spec.method, url, status, requestId });
}

function parseErrorBody(text: string): z.infer<typeof errorBodySchema>['error'] | undefined {
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.error : undefined;
  } catch {
    return undefined;
  }
}

function headerValue(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.length > 0 ? String(value[0]) : undefined;
  return value === undefined || value === null ? undefined : String(value);
}

/** A network failure as a LiftgateConnectionError; the axios error (its config holds the key) is not kept. */
function connectionError(error: unknown, method: string, url: string, timeoutMs: number): LiftgateConnectionError {
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : undefined;
  const timedOut = code === 'ETIMEDOUT' || code === 'ECONNABORTED';
  const summary =
    code === 'ERR_CANCELED'
      ? 'cancelled'
      : timedOut
        ? `no answer within ${timeoutMs} ms`
        : `could not connect${code === undefined ? '' : `: ${code}`}`;
  const cause = new Error(code ?? 'network error');
  cause.name = 'NetworkError';
  return new LiftgateConnectionError(summary, { method, url, cause, networkCode: timedOut ? 'ETIMEDOUT' : code });
}

function segment(id: string): string {
  return encodeURIComponent(id);
}

export class SpacesResource {
  constructor(private readonly client: LiftgateClient) {}

  create(input: SpaceCreateInput, options: CallOptions = {}): Promise<Space> {
    return this.client.send({ method: 'POST', path: '/api/v1/spaces', body: input, schema: spaceSchema, retryMode: 'create', signal: options.signal });
  }

  get(id: string, options: CallOptions = {}): Promise<Space> {
    return this.client.send({ method: 'GET', path: `/api/v1/spaces/${segment(id)}`, schema: spaceSchema, retryMode: 'idempotent', signal: options.signal });
  }

  /** The spaces the key can read. */
  list(options: CallOptions = {}): Promise<Space[]> {
    return this.client.send({ method: 'GET', path: '/api/v1/spaces', schema: z.array(spaceSchema), retryMode: 'idempotent', signal: options.signal });
  }

  update(id: string, input: SpaceUpdateInput, options: CallOptions = {}): Promise<Space> {
    return this.client.send({ method: 'PATCH', path: `/api/v1/spaces/${segment(id)}`, body: input, schema: spaceSchema, retryMode: 'idempotent', signal: options.signal });
  }

  async delete(id: string, options: CallOptions = {}): Promise<void> {
    await this.client.send({ method: 'DELETE', path: `/api/v1/spaces/${segment(id)}`, schema: null, retryMode: 'idempotent', notFoundOnRetryMeansDone: true, signal: options.signal });
  }
}

const integrationsPath = '/api/v1/integrations/bitbucket-datacenter';

export class IntegrationsResource {
  constructor(private readonly client: LiftgateClient) {}

  /** Creates a Bitbucket DC integration; the control plane verifies the credentials unless apiHost is private://. */
  create(input: IntegrationCreateInput, options: CallOptions = {}): Promise<Integration> {
    return this.client.send({ method: 'POST', path: integrationsPath, body: input, schema: integrationSchema, retryMode: 'create', signal: options.signal });
  }

  /** The integration with its username and webhook secret (admin on its space; root for the default one). */
  get(id: string, options: CallOptions = {}): Promise<Integration> {
    return this.client.send({ method: 'GET', path: `${integrationsPath}/${segment(id)}`, schema: integrationSchema, retryMode: 'idempotent', signal: options.signal });
  }

  /** The integrations the key can list (the default one, and those of spaces it can read), without secrets. */
  list(options: CallOptions = {}): Promise<IntegrationSummary[]> {
    return this.client.send({ method: 'GET', path: integrationsPath, schema: z.array(integrationSummarySchema), retryMode: 'idempotent', signal: options.signal });
  }

  update(id: string, input: IntegrationUpdateInput, options: CallOptions = {}): Promise<Integration> {
    return this.client.send({ method: 'PATCH', path: `${integrationsPath}/${segment(id)}`, body: input, schema: integrationSchema, retryMode: 'idempotent', signal: options.signal });
  }

  /**
   * Deletes the integration; the stacks that used it become detached and are named in the answer. When an
   * earlier attempt got no answer and the retry finds it gone, the answer names no stacks (null).
   */
  async delete(id: string, options: CallOptions = {}): Promise<IntegrationDeleted | null> {
    const deleted = await this.client.send<IntegrationDeleted | undefined>({
      method: 'DELETE',
      path: `${integrationsPath}/${segment(id)}`,
      schema: integrationDeletedSchema,
      retryMode: 'idempotent',
      notFoundOnRetryMeansDone: true,
      signal: options.signal,
    });
    return deleted ?? null;
  }

  /** One page of the integration's webhook delivery log, newest first (admin on its space). */
  async deliveries(id: string, page: PageRequest = {}, options: CallOptions = {}): Promise<Page<Delivery>> {
    return pageOf(
      await this.client.exchange({
        method: 'GET',
        path: `${integrationsPath}/${segment(id)}/deliveries`,
        query: pageQuery(page),
        schema: z.array(deliverySchema),
        retryMode: 'idempotent',
        signal: options.signal,
      }),
    );
  }
}

export class StacksResource {
  constructor(private readonly client: LiftgateClient) {}

  create(input: StackCreateInput, options: CallOptions = {}): Promise<Stack> {
    return this.client.send({ method: 'POST', path: '/api/v1/stacks', body: input, schema: stackSchema, retryMode: 'create', signal: options.signal });
  }

  get(id: string, options: CallOptions = {}): Promise<Stack> {
    return this.client.send({ method: 'GET', path: `/api/v1/stacks/${segment(id)}`, schema: stackSchema, retryMode: 'idempotent', signal: options.signal });
  }

  /** The stacks the key can read; with `integrationId`, only the attached stacks that integration serves. */
  list(filter: { integrationId?: string } = {}, options: CallOptions = {}): Promise<Stack[]> {
    return this.client.send({
      method: 'GET',
      path: '/api/v1/stacks',
      query: { integrationId: filter.integrationId },
      schema: z.array(stackSchema),
      retryMode: 'idempotent',
      signal: options.signal,
    });
  }

  update(id: string, input: StackUpdateInput, options: CallOptions = {}): Promise<Stack> {
    return this.client.send({ method: 'PATCH', path: `/api/v1/stacks/${segment(id)}`, body: input, schema: stackSchema, retryMode: 'idempotent', signal: options.signal });
  }

  async delete(id: string, options: CallOptions = {}): Promise<void> {
    await this.client.send({ method: 'DELETE', path: `/api/v1/stacks/${segment(id)}`, schema: null, retryMode: 'idempotent', notFoundOnRetryMeansDone: true, signal: options.signal });
  }

  /** One page of the stack's runs, newest first (read on its space). */
  async runs(id: string, page: PageRequest = {}, options: CallOptions = {}): Promise<Page<Run>> {
    return pageOf(
      await this.client.exchange({
        method: 'GET',
        path: `/api/v1/stacks/${segment(id)}/runs`,
        query: pageQuery(page),
        schema: z.array(runSchema),
        retryMode: 'idempotent',
        signal: options.signal,
      }),
    );
  }

  /** Queues a manual TRACKED run (write on its space); 409 while the stack is detached. */
  triggerRun(id: string, input: { commit?: string } = {}, options: CallOptions = {}): Promise<Run> {
    return this.client.send({ method: 'POST', path: `/api/v1/stacks/${segment(id)}/runs`, body: input, schema: runSchema, retryMode: 'create', signal: options.signal });
  }
}

/** A stack's environment variables (SPEC §7.5): read on its space lists them, write sets and deletes them. */
export class EnvironmentResource {
  constructor(private readonly client: LiftgateClient) {}

  /** The stack's variables by name; secret ones with `value: null`. */
  list(stackId: string, options: CallOptions = {}): Promise<EnvironmentVariable[]> {
    return this.client.send({
      method: 'GET',
      path: `/api/v1/stacks/${segment(stackId)}/environment`,
      schema: z.array(environmentVariableSchema),
      retryMode: 'idempotent',
      signal: options.signal,
    });
  }

  /** Creates or replaces a variable (PUT is idempotent, so it is retried like a read). */
  set(stackId: string, name: string, input: EnvironmentVariableInput, options: CallOptions = {}): Promise<EnvironmentVariable> {
    return this.client.send({
      method: 'PUT',
      path: `/api/v1/stacks/${segment(stackId)}/environment/${segment(name)}`,
      body: { value: input.value, secret: input.secret ?? false },
      schema: environmentVariableSchema,
      retryMode: 'idempotent',
      signal: options.signal,
    });
  }

  async delete(stackId: string, name: string, options: CallOptions = {}): Promise<void> {
    await this.client.send({
      method: 'DELETE',
      path: `/api/v1/stacks/${segment(stackId)}/environment/${segment(name)}`,
      schema: null,
      retryMode: 'idempotent',
      notFoundOnRetryMeansDone: true,
      signal: options.signal,
    });
  }
}

/**
 * A stack's Terraform state as an API client sees it (Terraform itself speaks to the same endpoints through its
 * http backend): the current state, its versions, and force-unlock.
 */
export class StateResource {
  constructor(private readonly client: LiftgateClient) {}

  /** The current state document (read on the stack's space), or null when none was written yet. */
  current(stackId: string, options: CallOptions = {}): Promise<Record<string, unknown> | null> {
    return this.client.send<Record<string, unknown> | null>({
      method: 'GET',
      path: `/api/v1/stacks/${segment(stackId)}/state`,
      schema: z.record(z.string(), z.unknown()),
      retryMode: 'idempotent',
      noContentIsNull: true,
      signal: options.signal,
    });
  }

  /** One page of the state's versions, newest first. */
  async versions(stackId: string, page: PageRequest = {}, options: CallOptions = {}): Promise<Page<StateVersion>> {
    return pageOf(
      await this.client.exchange({
        method: 'GET',
        path: `/api/v1/stacks/${segment(stackId)}/state/versions`,
        query: pageQuery(page),
        schema: z.array(stateVersionSchema),
        retryMode: 'idempotent',
        signal: options.signal,
      }),
    );
  }

  /** The version with `serial` (the newest one, should two lineages share it): the state document it stored. */
  version(stackId: string, serial: number, options: CallOptions = {}): Promise<Record<string, unknown>> {
    return this.client.send({
      method: 'GET',
      path: `/api/v1/stacks/${segment(stackId)}/state/versions/${serial}`,
      schema: z.record(z.string(), z.unknown()),
      retryMode: 'idempotent',
      signal: options.signal,
    });
  }

  /** Releases the state's lock whoever holds it (admin on the stack's space); the released lock, or null when there was none. */
  async forceUnlock(stackId: string, options: CallOptions = {}): Promise<LockInfo | null> {
    const answer = await this.client.send({
      method: 'DELETE',
      path: `/api/v1/stacks/${segment(stackId)}/state/lock`,
      schema: z.object({ released: lockInfoSchema.nullable() }),
      retryMode: 'idempotent',
      signal: options.signal,
    });
    return answer.released;
  }
}

function pageQuery(page: PageRequest): Record<string, string | undefined> {
  return { limit: page.limit === undefined ? undefined : String(page.limit), cursor: page.cursor };
}

function pageOf<T>(answer: { data: T[]; headers: Record<string, unknown> }): Page<T> {
  return { items: answer.data, nextCursor: headerValue(answer.headers['x-next-cursor']) ?? null };
}
