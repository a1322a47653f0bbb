import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { BitbucketClient, type BitbucketClientOptions } from '../clients/bitbucket';
import { addressAllowed, checkBitbucketHost, type BitbucketHostPolicy } from '../domain/bitbucket-hosts';
import { poolOfApiHost } from '../domain/api-hosts';
import type { WorkerWork } from '../domain/run-work';
import type { AgentGateway } from './agents/gateway';
import { authenticate, type Caller } from './auth/access';
import { requireApiHost, type BitbucketCredentials, type CredentialVerifier } from './credentials';
import { UnprocessableError } from './errors';
import { accessTokenContext, type SecretBox } from './secrets';
import type { Database } from './store/database';
import { ReadCache } from './store/read-cache';
import type { StoredIntegration } from './store/integrations';

/** A Bitbucket client with an integration's credentials, or why the control plane cannot call its Bitbucket. */
export type IntegrationBitbucket = { client: BitbucketClient } | { unavailable: string };

/**
 * What every route plugin is given: the store, the secret box, the public URL, the credential check and the
 * Bitbucket hosts it may call.
 */
export class ServerContext {
  /** Each request is authenticated once: by the app's onRequest hook, then handlers get the same caller. */
  readonly #callers = new WeakMap<FastifyRequest, Promise<Caller>>();

  constructor(
    readonly db: Database,
    /** Base of webhook URLs; a function when it is only known once the server listens (port 0). */
    private readonly publicUrlSource: string | (() => string),
    readonly secrets: SecretBox,
    private readonly verifyCredentials: CredentialVerifier,
    private readonly bitbucketHosts: BitbucketHostPolicy,
    /** The VCS agents connected to this replica, which carry the calls for private://<pool> hosts. */
    readonly agents: AgentGateway,
  ) {
    this.reads = new ReadCache(db.changes);
  }

  /** Reads kept until the store reports a change to their rows: the callers of API keys, modules and their versions. */
  readonly reads: ReadCache;

  /**
   * Told whenever runs were queued or confirmed (`runs`), or an ended run owes a pull request its comment
   * (`feedback`), so idle workers in this process act at once (they poll and sweep anyway).
   */
  readonly #runListeners = new Set<(work: WorkerWork) => void>();

  onRunsQueued(listener: (work: WorkerWork) => void): () => void {
    this.#runListeners.add(listener);
    return () => this.#runListeners.delete(listener);
  }

  runsQueued(work: WorkerWork = 'runs'): void {
    for (const listener of this.#runListeners) listener(work);
  }

  /** Base of webhook URLs, without a trailing slash. */
  get publicUrl(): string {
    const url = typeof this.publicUrlSource === 'string' ? this.publicUrlSource : this.publicUrlSource();
    return url.replace(/\/+$/, '');
  }

  /** The caller of an API request (401 without a valid API key). */
  authenticate(request: FastifyRequest): Promise<Caller> {
    let caller = this.#callers.get(request);
    if (caller === undefined) {
      caller = authenticate(this.db, this.reads, request);
      this.#callers.set(request, caller);
    }
    return caller;
  }

  /**
   * Checks credentials against Bitbucket. A private://<pool> host is checked through a connected agent of the pool,
   * and saved unchecked when none is connected (SPEC §9). Any other host must be one the --allowed-bitbucket-hosts
   * policy allows (422 naming apiHost otherwise), and the connection may only go to addresses the policy allows for
   * it. These are the only credentials the control plane sends anywhere: the ones the caller sent in the same request.
   */
  async verifyCredentialsUnlessPrivate(credentials: BitbucketCredentials): Promise<void> {
    if (requireApiHost(credentials.apiHost) === 'private') {
      const pool = poolOfApiHost(credentials.apiHost);
      if (pool !== null && this.agents.isConnected(pool)) await this.verifyCredentials(credentials, { allowAddress: () => true, agents: this.agents });
      return;
    }
    const verdict = checkBitbucketHost(this.bitbucketHosts, new URL(credentials.apiHost));
    if (!verdict.allowed) throw new UnprocessableError(`apiHost is not allowed: ${verdict.reason}`, { field: 'apiHost', problem: 'not-allowed' });
    await this.verifyCredentials(credentials, { allowAddress: (address) => addressAllowed(verdict, address) });
  }

  /**
   * A client that calls an integration's Bitbucket with its credentials (decrypted here, never logged), connecting
   * only where the --allowed-bitbucket-hosts policy allows, or through this replica's VCS agents for a
   * private://<pool> host (its calls fail at once when no agent of the pool is connected). Close it after use.
   */
  bitbucketFor(integration: StoredIntegration, options: Pick<BitbucketClientOptions, 'retry' | 'timeoutMs'> = {}): IntegrationBitbucket {
    const credentials = {
      baseUrl: integration.apiHost,
      username: integration.username,
      password: this.secrets.decrypt(integration.accessTokenEncrypted, accessTokenContext(integration)),
      userAgent: 'liftgate-control-plane',
      ...options,
    };
    if (requireApiHost(integration.apiHost) === 'private') return { client: new BitbucketClient({ ...credentials, agents: this.agents }) };
    const verdict = checkBitbucketHost(this.bitbucketHosts, new URL(integration.apiHost));
    if (!verdict.allowed) return { unavailable: `apiHost is not allowed: ${verdict.reason}` };
    return { client: new BitbucketClient({ ...credentials, allowAddress: (address) => addressAllowed(verdict, address) }) };
  }

  /** Where Bitbucket must send an integration's webhooks. */
  webhookUrlFor(integrationId: string): string {
    return `${this.publicUrl}/webhooks/bitbucket-datacenter/${encodeURIComponent(integrationId)}`;
  }
}

/** A group of routes; registered by app.ts with `{ context }`. */
export type RoutePlugin = FastifyPluginAsyncZod<{ context: ServerContext }>;

/** The OpenAPI security requirement of routes that need an API key. */
export const bearerAuth = [{ bearerAuth: [] }];
