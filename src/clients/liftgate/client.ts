import { z } from 'zod';
import type { PagedList, PagingOptions } from '../paging';
import type { Clock, RetryOptions, RetryPolicy } from '../retry';
import { Transport, type JsonRequestSpec } from '../transport';
import { httpBaseUrl, segment } from '../urls';
import { liftgateError } from './errors';
import { ModulesResource } from './modules';
import {
  deliverySchema,
  environmentVariableSchema,
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
  type Run,
  type Space,
  type SpaceCreateInput,
  type SpaceUpdateInput,
  type Stack,
  type StackCreateInput,
  type StackUpdateInput,
  vcsAgentPoolCreatedSchema,
  vcsAgentPoolSchema,
  type VcsAgentPool,
  type VcsAgentPoolCreated,
  type VcsAgentPoolCreateInput,
  type StateVersion,
} from './schemas';

export type LiftgateRetryOptions = RetryOptions;

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
  /** How waits between attempts pass (Retry-After, back-off). @default real time */
  clock?: Clock;
}

/** Per-call options of every resource method. */
export interface CallOptions {
  /** Cancels the request and any retry still to come (Terraform's StopProvider, Ctrl-C). */
  signal?: AbortSignal;
}

type LiftgateTransport = Transport;

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
  readonly spaces: SpacesResource;
  readonly integrations: IntegrationsResource;
  readonly stacks: StacksResource;
  readonly modules: ModulesResource;
  readonly vcsAgentPools: VcsAgentPoolsResource;
  readonly environment: EnvironmentResource;
  readonly state: StateResource;
  private readonly transport: LiftgateTransport;

  constructor(options: LiftgateClientOptions) {
    this.endpoint = httpBaseUrl(options.endpoint, 'endpoint', 'pass the API key as apiKey');
    if (options.apiKey.trim() === '') throw new TypeError('apiKey must not be empty');
    const authorization = `Bearer ${options.apiKey}`;
    this.transport = new Transport({
      baseUrl: this.endpoint,
      // A closure rather than a field, so neither util.inspect nor JSON.stringify of the client shows the key.
      authorization: () => authorization,
      requestIdHeaders: ['x-request-id'],
      errors: liftgateError,
      retry: options.retry,
      maxSockets: 16,
      timeoutMs: options.timeoutMs ?? 30_000,
      userAgent: options.userAgent ?? 'liftgate-client',
      clock: options.clock,
    });
    this.spaces = new SpacesResource(this.transport);
    this.integrations = new IntegrationsResource(this.transport);
    this.stacks = new StacksResource(this.transport);
    this.modules = new ModulesResource(this.transport);
    this.vcsAgentPools = new VcsAgentPoolsResource(this.transport);
    this.environment = new EnvironmentResource(this.transport);
    this.state = new StateResource(this.transport);
  }

  get retryPolicy(): RetryPolicy {
    return this.transport.retryPolicy;
  }

  /** Closes idle keep-alive sockets so a process using the client can exit promptly. */
  close(): void {
    this.transport.close();
  }
}

/** One request's parsed body. */
const runPath = (id: string, runId: string): string => `/api/v1/stacks/${segment(id)}/runs/${segment(runId)}`;

async function call<T>(transport: LiftgateTransport, spec: JsonRequestSpec<T>): Promise<T> {
  return (await transport.json(spec)).data;
}

/** A listing the control plane pages with `limit` and the `X-Next-Cursor` header, as a bounded iterator. */
function listPages<T>(transport: LiftgateTransport, path: string, schema: z.ZodType<T>, paging: PagingOptions): PagedList<T, string> {
  return transport.paged<T, string>(async (cursor, limit, signal) => {
    const { data, headers, url } = await transport.json({
      method: 'GET',
      path,
      query: { limit, cursor },
      schema: z.array(schema),
      retryMode: 'idempotent',
      signal,
    });
    return { items: data, next: headers['x-next-cursor'] ?? null, method: 'GET', url };
  }, paging);
}

export class SpacesResource {
  constructor(private readonly transport: LiftgateTransport) {}

  create(input: SpaceCreateInput, options: CallOptions = {}): Promise<Space> {
    return call(this.transport, { method: 'POST', path: '/api/v1/spaces', body: input, schema: spaceSchema, retryMode: 'create', signal: options.signal });
  }

  get(id: string, options: CallOptions = {}): Promise<Space> {
    return call(this.transport, { method: 'GET', path: `/api/v1/spaces/${segment(id)}`, schema: spaceSchema, retryMode: 'idempotent', signal: options.signal });
  }

  /** The spaces the key can read. */
  list(options: CallOptions = {}): Promise<Space[]> {
    return call(this.transport, { method: 'GET', path: '/api/v1/spaces', schema: z.array(spaceSchema), retryMode: 'idempotent', signal: options.signal });
  }

  update(id: string, input: SpaceUpdateInput, options: CallOptions = {}): Promise<Space> {
    return call(this.transport, { method: 'PATCH', path: `/api/v1/spaces/${segment(id)}`, body: input, schema: spaceSchema, retryMode: 'idempotent', signal: options.signal });
  }

  async delete(id: string, options: CallOptions = {}): Promise<void> {
    await call(this.transport, { method: 'DELETE', path: `/api/v1/spaces/${segment(id)}`, schema: null, retryMode: 'idempotent', notFoundOnRetryMeansDone: true, signal: options.signal });
  }
}

const integrationsPath = '/api/v1/integrations/bitbucket-datacenter';

export class IntegrationsResource {
  constructor(private readonly transport: LiftgateTransport) {}

  /** Creates a Bitbucket DC integration; the control plane verifies the credentials (for private://, through a connected VCS agent). */
  create(input: IntegrationCreateInput, options: CallOptions = {}): Promise<Integration> {
    return call(this.transport, { method: 'POST', path: integrationsPath, body: input, schema: integrationSchema, retryMode: 'create', signal: options.signal });
  }

  /** The integration with its username and webhook secret (admin on its space; root for the default one). */
  get(id: string, options: CallOptions = {}): Promise<Integration> {
    return call(this.transport, { method: 'GET', path: `${integrationsPath}/${segment(id)}`, schema: integrationSchema, retryMode: 'idempotent', signal: options.signal });
  }

  /** The integrations the key can list (the default one, and those of spaces it can read), without secrets. */
  list(options: CallOptions = {}): Promise<IntegrationSummary[]> {
    return call(this.transport, { method: 'GET', path: integrationsPath, schema: z.array(integrationSummarySchema), retryMode: 'idempotent', signal: options.signal });
  }

  update(id: string, input: IntegrationUpdateInput, options: CallOptions = {}): Promise<Integration> {
    return call(this.transport, { method: 'PATCH', path: `${integrationsPath}/${segment(id)}`, body: input, schema: integrationSchema, retryMode: 'idempotent', signal: options.signal });
  }

  /**
   * Deletes the integration; the stacks that used it become detached and are named in the answer. When an
   * earlier attempt got no answer and the retry finds it gone, the answer names no stacks (null).
   */
  async delete(id: string, options: CallOptions = {}): Promise<IntegrationDeleted | null> {
    const deleted = await call<IntegrationDeleted | undefined>(this.transport, {
      method: 'DELETE',
      path: `${integrationsPath}/${segment(id)}`,
      schema: integrationDeletedSchema,
      retryMode: 'idempotent',
      notFoundOnRetryMeansDone: true,
      signal: options.signal,
    });
    return deleted ?? null;
  }

  /** The integration's webhook delivery log, newest first, page by page (admin on its space). */
  deliveries(id: string, paging: PagingOptions = {}): PagedList<Delivery, string> {
    return listPages(this.transport, `${integrationsPath}/${segment(id)}/deliveries`, deliverySchema, paging);
  }
}

export class StacksResource {
  constructor(private readonly transport: LiftgateTransport) {}

  create(input: StackCreateInput, options: CallOptions = {}): Promise<Stack> {
    return call(this.transport, { method: 'POST', path: '/api/v1/stacks', body: input, schema: stackSchema, retryMode: 'create', signal: options.signal });
  }

  get(id: string, options: CallOptions = {}): Promise<Stack> {
    return call(this.transport, { method: 'GET', path: `/api/v1/stacks/${segment(id)}`, schema: stackSchema, retryMode: 'idempotent', signal: options.signal });
  }

  /** The stacks the key can read; with `integrationId`, only the attached stacks that integration serves. */
  list(filter: { integrationId?: string } = {}, options: CallOptions = {}): Promise<Stack[]> {
    return call(this.transport, {
      method: 'GET',
      path: '/api/v1/stacks',
      query: { integrationId: filter.integrationId },
      schema: z.array(stackSchema),
      retryMode: 'idempotent',
      signal: options.signal,
    });
  }

  update(id: string, input: StackUpdateInput, options: CallOptions = {}): Promise<Stack> {
    return call(this.transport, { method: 'PATCH', path: `/api/v1/stacks/${segment(id)}`, body: input, schema: stackSchema, retryMode: 'idempotent', signal: options.signal });
  }

  async delete(id: string, options: CallOptions = {}): Promise<void> {
    await call(this.transport, { method: 'DELETE', path: `/api/v1/stacks/${segment(id)}`, schema: null, retryMode: 'idempotent', notFoundOnRetryMeansDone: true, signal: options.signal });
  }

  /** The stack's runs, newest first, page by page (read on its space). */
  runs(id: string, paging: PagingOptions = {}): PagedList<Run, string> {
    return listPages(this.transport, `/api/v1/stacks/${segment(id)}/runs`, runSchema, paging);
  }

  /** One run with its history, delta, failure and feedback (read on its space). */
  run(id: string, runId: string, options: CallOptions = {}): Promise<Run> {
    return call(this.transport, { method: 'GET', path: runPath(id, runId), schema: runSchema, retryMode: 'idempotent', signal: options.signal });
  }

  /** Confirms or discards an UNCONFIRMED run, or cancels one that has not ended (write on its space); 409 names its state. */
  runAction(id: string, runId: string, action: 'confirm' | 'discard' | 'cancel', options: CallOptions = {}): Promise<Run> {
    // Repeating an action that took effect answers 409 with the new state, never does it twice.
    return call(this.transport, { method: 'POST', path: `${runPath(id, runId)}/${action}`, body: {}, schema: runSchema, retryMode: 'create', signal: options.signal });
  }

  /** The run's log from byte `offset`, where to read next, and whether it is complete (the run ended). */
  async runLog(id: string, runId: string, offset: number, options: CallOptions = {}): Promise<{ text: string; nextOffset: number; complete: boolean }> {
    const answer = await this.transport.stream({
      method: 'GET',
      path: `${runPath(id, runId)}/logs`,
      query: { offset: String(offset) },
      retryMode: 'idempotent',
      maxBytes: 4 * 1024 * 1024,
      signal: options.signal,
    });
    const chunks: Buffer[] = [];
    for await (const chunk of answer.body) chunks.push(Buffer.from(chunk as Buffer));
    return {
      text: Buffer.concat(chunks).toString('utf8'),
      nextOffset: Number(answer.headers['x-next-offset'] ?? offset),
      complete: answer.headers['x-log-complete'] === 'true',
    };
  }

  /** Queues a manual TRACKED run (write on its space); 409 while the stack is detached. */
  triggerRun(id: string, input: { commit?: string } = {}, options: CallOptions = {}): Promise<Run> {
    return call(this.transport, { method: 'POST', path: `/api/v1/stacks/${segment(id)}/runs`, body: input, schema: runSchema, retryMode: 'create', signal: options.signal });
  }
}

const poolsPath = '/api/v1/vcs-agent-pools';

/** VCS agent pools (SPEC §9); a pool cannot be changed, only replaced. */
export class VcsAgentPoolsResource {
  constructor(private readonly transport: LiftgateTransport) {}

  /** Creates a pool (admin on its space); the answer holds its token, which no later call shows. */
  create(input: VcsAgentPoolCreateInput, options: CallOptions = {}): Promise<VcsAgentPoolCreated> {
    return call(this.transport, { method: 'POST', path: poolsPath, body: input, schema: vcsAgentPoolCreatedSchema, retryMode: 'create', signal: options.signal });
  }

  get(id: string, options: CallOptions = {}): Promise<VcsAgentPool> {
    return call(this.transport, { method: 'GET', path: `${poolsPath}/${segment(id)}`, schema: vcsAgentPoolSchema, retryMode: 'idempotent', signal: options.signal });
  }

  /** The pools of spaces the key can read, with their connected agents and last activity. */
  list(options: CallOptions = {}): Promise<VcsAgentPool[]> {
    return call(this.transport, { method: 'GET', path: poolsPath, schema: z.array(vcsAgentPoolSchema), retryMode: 'idempotent', signal: options.signal });
  }

  async delete(id: string, options: CallOptions = {}): Promise<void> {
    await call(this.transport, { method: 'DELETE', path: `${poolsPath}/${segment(id)}`, schema: null, retryMode: 'idempotent', notFoundOnRetryMeansDone: true, signal: options.signal });
  }
}

/** A stack's environment variables (SPEC §7.5): read on its space lists them, write sets and deletes them. */
export class EnvironmentResource {
  constructor(private readonly transport: LiftgateTransport) {}

  /** The stack's variables by name; secret ones with `value: null`. */
  list(stackId: string, options: CallOptions = {}): Promise<EnvironmentVariable[]> {
    return call(this.transport, {
      method: 'GET',
      path: `/api/v1/stacks/${segment(stackId)}/environment`,
      schema: z.array(environmentVariableSchema),
      retryMode: 'idempotent',
      signal: options.signal,
    });
  }

  /** Creates or replaces a variable (PUT is idempotent, so it is retried like a read). */
  set(stackId: string, name: string, input: EnvironmentVariableInput, options: CallOptions = {}): Promise<EnvironmentVariable> {
    return call(this.transport, {
      method: 'PUT',
      path: `/api/v1/stacks/${segment(stackId)}/environment/${segment(name)}`,
      body: { value: input.value, secret: input.secret ?? false },
      schema: environmentVariableSchema,
      retryMode: 'idempotent',
      signal: options.signal,
    });
  }

  async delete(stackId: string, name: string, options: CallOptions = {}): Promise<void> {
    await call(this.transport, {
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
  constructor(private readonly transport: LiftgateTransport) {}

  /** The current state document (read on the stack's space), or null when none was written yet. */
  current(stackId: string, options: CallOptions = {}): Promise<Record<string, unknown> | null> {
    return call<Record<string, unknown> | null>(this.transport, {
      method: 'GET',
      path: `/api/v1/stacks/${segment(stackId)}/state`,
      schema: z.record(z.string(), z.unknown()),
      retryMode: 'idempotent',
      noContentIsNull: true,
      signal: options.signal,
    });
  }

  /** The state's versions, newest first. */
  versions(stackId: string, paging: PagingOptions = {}): PagedList<StateVersion, string> {
    return listPages(this.transport, `/api/v1/stacks/${segment(stackId)}/state/versions`, stateVersionSchema, paging);
  }

  /** The version with `serial` (the newest one, should two lineages share it): the state document it stored. */
  version(stackId: string, serial: number, options: CallOptions = {}): Promise<Record<string, unknown>> {
    return call(this.transport, {
      method: 'GET',
      path: `/api/v1/stacks/${segment(stackId)}/state/versions/${serial}`,
      schema: z.record(z.string(), z.unknown()),
      retryMode: 'idempotent',
      signal: options.signal,
    });
  }

  /** Releases the state's lock whoever holds it (admin on the stack's space); the released lock, or null when there was none. */
  async forceUnlock(stackId: string, options: CallOptions = {}): Promise<LockInfo | null> {
    const answer = await call(this.transport, {
      method: 'DELETE',
      path: `/api/v1/stacks/${segment(stackId)}/state/lock`,
      schema: z.object({ released: lockInfoSchema.nullable() }),
      retryMode: 'idempotent',
      signal: options.signal,
    });
    return answer.released;
  }
}
