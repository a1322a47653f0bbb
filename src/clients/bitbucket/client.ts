import type { Clock, RetryOptions } from '../retry';
import { Transport, type RequestEvent } from '../transport';
import { poolOfApiHost } from '../../domain/api-hosts';
import { isAgentBaseUrl, type AgentRoute } from '../agent-route';
import { httpBaseUrl } from '../urls';
import { AccessTokensResource } from './access-tokens';
import { BuildStatusesResource } from './build-statuses';
import { RepositoryContentResource } from './content';
import { bitbucketError, BitbucketError } from './errors';
import type { BitbucketTransport, CallOptions } from './pages';
import { API } from './paths';
import { ProjectsResource } from './projects';
import { PullRequestsResource } from './pull-requests';
import { RepositoriesResource } from './repositories';
import { applicationPropertiesSchema, type ApplicationProperties, type RepositoryPermission } from './schemas';
import { ProjectWebhooksResource, RepositoryWebhooksResource } from './webhooks';
import { ApiConnectionError, ApiForbiddenError, ApiServerError, ApiUnauthorizedError } from '../errors';

export type BitbucketRetryOptions = RetryOptions;
export type BitbucketRequestEvent = RequestEvent;

export interface BitbucketClientOptions {
  /**
   * Bitbucket's base URL, e.g. `https://bitbucket.example.com` or `https://host/bitbucket`; no user info. Or
   * `private://<pool>` for a Bitbucket reached through that pool's VCS agents (give `agents`).
   */
  baseUrl: string;
  /** Carries every request of a `private://<pool>` client to a connected agent of the pool (SPEC §9). */
  agents?: AgentRoute;
  /** HTTP access token, sent as `Authorization: Bearer`. Give this or username + password. */
  token?: string;
  /** With `password`: Basic auth (the password may be the user's HTTP access token). */
  username?: string;
  password?: string;
  /** Retry policy of this client; see BitbucketRetryOptions for the defaults. */
  retry?: BitbucketRetryOptions;
  /** Requests in flight at once from this client. @default 8 */
  concurrency?: number;
  /** Per-attempt timeout. @default 30000 */
  timeoutMs?: number;
  /** @default 'liftgate-bitbucket-client' */
  userAgent?: string;
  /** Called after every HTTP attempt (logging, metrics); it must not throw. @default nothing is called */
  onRequest?: (event: BitbucketRequestEvent) => void;
  /**
   * Which of the addresses the host name resolves to connections may use (the control plane's
   * --allowed-bitbucket-hosts policy). @default any address
   */
  allowAddress?: (address: string) => boolean;
  /** How waits between attempts pass (Retry-After, back-off). @default real time */
  clock?: Clock;
}

/** Why a credential check failed, in the terms a person fixing it needs. */
export type BitbucketCredentialProblem =
  | 'unreachable'
  | 'not-bitbucket'
  | 'unauthorized'
  | 'forbidden'
  | 'missing-permission';

export type BitbucketCredentialCheck =
  | { ok: true; properties: ApplicationProperties }
  | { ok: false; problem: BitbucketCredentialProblem; message: string; error?: BitbucketError };

/**
 * Client for the Bitbucket Data Center REST API (9.x). One instance holds one set of credentials,
 * one retry policy and one concurrency limit; share it between callers that talk to the same server.
 *
 * ```ts
 * const bitbucket = new BitbucketClient({ baseUrl, token });
 * for await (const hook of bitbucket.repositoryWebhooks.list('PRJ', 'repo')) console.log(hook.name);
 * ```
 */
export class BitbucketClient {
  readonly projects: ProjectsResource;
  readonly repositories: RepositoriesResource;
  readonly repositoryWebhooks: RepositoryWebhooksResource;
  readonly projectWebhooks: ProjectWebhooksResource;
  readonly accessTokens: AccessTokensResource;
  /** Archives, files, commits, changes and branches of repositories. */
  readonly content: RepositoryContentResource;
  readonly pullRequests: PullRequestsResource;
  readonly buildStatuses: BuildStatusesResource;
  /** The normalised base URL (no trailing slash). */
  readonly baseUrl: string;
  private readonly transport: BitbucketTransport;

  constructor(options: BitbucketClientOptions) {
    this.baseUrl = isAgentBaseUrl(options.baseUrl)
      ? agentBaseUrl(options.baseUrl, options.agents)
      : httpBaseUrl(options.baseUrl, 'baseUrl', 'pass token or username and password instead');
    const authorization = authorizationHeader(options);
    const concurrency = positiveInteger('concurrency', options.concurrency ?? 8);
    this.transport = new Transport({
      baseUrl: this.baseUrl,
      // A closure rather than a field, so neither util.inspect nor JSON.stringify of the client shows it.
      authorization: () => authorization,
      // Bitbucket's XSRF check refuses writes without it.
      headers: (method): Record<string, string> => (method === 'GET' ? {} : { 'X-Atlassian-Token': 'no-check' }),
      requestIdHeaders: ['x-arequestid', 'x-request-id'],
      errors: bitbucketError,
      retry: options.retry,
      concurrency,
      // One keep-alive socket per concurrent request.
      maxSockets: concurrency,
      timeoutMs: positiveInteger('timeoutMs', options.timeoutMs ?? 30_000),
      userAgent: options.userAgent ?? 'liftgate-bitbucket-client',
      onRequest: options.onRequest,
      allowAddress: options.allowAddress,
      agents: isAgentBaseUrl(this.baseUrl) ? options.agents : undefined,
      clock: options.clock,
    });
    this.projects = new ProjectsResource(this.transport);
    this.repositories = new RepositoriesResource(this.transport);
    this.repositoryWebhooks = new RepositoryWebhooksResource(this.transport);
    this.projectWebhooks = new ProjectWebhooksResource(this.transport);
    this.accessTokens = new AccessTokensResource(this.transport);
    this.content = new RepositoryContentResource(this.transport);
    this.pullRequests = new PullRequestsResource(this.transport);
    this.buildStatuses = new BuildStatusesResource(this.transport);
  }

  /**
   * Version and name of the server. Sent without credentials (Bitbucket answers it anonymously), so
   * success proves reachability only; an ApiConnectionError means the host is unreachable.
   */
  async getApplicationProperties(options: CallOptions = {}): Promise<ApplicationProperties> {
    const { data } = await this.transport.json({
      method: 'GET',
      path: `${API}/application-properties`,
      schema: applicationPropertiesSchema,
      retryMode: 'idempotent',
      authenticate: false,
      signal: options.signal,
    });
    return data;
  }

  /**
   * Checks that the server is a reachable Bitbucket and that the credentials work and hold
   * `permission` (default REPO_ADMIN, which webhooks need) on at least one repository:
   * 1. `getApplicationProperties()` — connection errors and 5xx → `unreachable`, anything else
   *    that is not Bitbucket's answer → `not-bitbucket`;
   * 2. the first page of `repositories.search({ permission })` — 401 → `unauthorized` (bad token),
   *    403 → `forbidden`, no repository → `missing-permission`.
   * Other failures are thrown.
   */
  async verifyCredentials(options: { permission?: RepositoryPermission } & CallOptions = {}): Promise<BitbucketCredentialCheck> {
    const permission = options.permission ?? 'REPO_ADMIN';
    let properties: ApplicationProperties;
    try {
      properties = await this.getApplicationProperties(options);
    } catch (error) {
      if (!(error instanceof BitbucketError)) throw error;
      const unreachable = error instanceof ApiConnectionError || error instanceof ApiServerError;
      return {
        ok: false,
        problem: unreachable ? 'unreachable' : 'not-bitbucket',
        message: unreachable
          ? `Bitbucket at ${this.baseUrl} is unreachable: ${error.message}`
          : `${this.baseUrl} did not answer like Bitbucket Data Center: ${error.message}`,
        error,
      };
    }
    try {
      const page = await this.repositories.search({ permission, pageSize: 1, signal: options.signal }).firstPage();
      if (page.items.length === 0) {
        return {
          ok: false,
          problem: 'missing-permission',
          message: `the credentials are valid but hold ${permission} on no repository of ${this.baseUrl}`,
        };
      }
      return { ok: true, properties };
    } catch (error) {
      if (error instanceof ApiUnauthorizedError) {
        return { ok: false, problem: 'unauthorized', message: `Bitbucket rejected the credentials (401): ${error.message}`, error };
      }
      if (error instanceof ApiForbiddenError) {
        return { ok: false, problem: 'forbidden', message: `Bitbucket refused access (403): ${error.message}`, error };
      }
      if (error instanceof ApiConnectionError || error instanceof ApiServerError) {
        return { ok: false, problem: 'unreachable', message: `Bitbucket at ${this.baseUrl} is unreachable: ${error.message}`, error };
      }
      throw error;
    }
  }

  /** Closes idle keep-alive connections; the client stays usable (new requests reconnect). */
  close(): void {
    this.transport.close();
  }
}

function authorizationHeader(options: BitbucketClientOptions): string {
  const hasToken = options.token !== undefined && options.token !== '';
  const hasUser = options.username !== undefined && options.username !== '';
  const hasPassword = options.password !== undefined && options.password !== '';
  if (hasToken && (hasUser || hasPassword)) {
    throw new TypeError('give either token (Bearer) or username and password (Basic), not both');
  }
  if (hasToken) return `Bearer ${options.token}`;
  if (hasUser && hasPassword) {
    return `Basic ${Buffer.from(`${options.username}:${options.password}`, 'utf8').toString('base64')}`;
  }
  if (hasUser || hasPassword) throw new TypeError('Basic auth needs both username and password');
  throw new TypeError('credentials missing: give token (Bearer) or username and password (Basic)');
}

/** `private://<pool>` as the transport takes it, when there is a route to the pool's agents. */
function agentBaseUrl(baseUrl: string, agents: AgentRoute | undefined): string {
  const pool = poolOfApiHost(baseUrl);
  if (pool === null) throw new TypeError(`baseUrl must name a VCS agent pool as private://<pool>, got "${baseUrl}"`);
  if (agents === undefined) throw new TypeError(`baseUrl ${baseUrl} is reached through a VCS agent pool: give agents`);
  return `private://${pool}`;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`${name} must be a positive integer, got ${value}`);
  return value;
}
