import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { authenticate, type Caller } from './auth/access';
import type { CredentialVerifier } from './credentials';
import type { SecretBox } from './secrets';
import type { Database } from './store/database';

/** What every route plugin is given: the store, the secret box, the public URL and the credential check. */
export class ServerContext {
  /** Each request is authenticated once: by the app's onRequest hook, then handlers get the same caller. */
  readonly #callers = new WeakMap<FastifyRequest, Promise<Caller>>();

  constructor(
    readonly db: Database,
    /** Base of webhook URLs; a function when it is only known once the server listens (port 0). */
    private readonly publicUrlSource: string | (() => string),
    readonly secrets: SecretBox,
    readonly verifyCredentials: CredentialVerifier,
  ) {}

  /** Base of webhook URLs, without a trailing slash. */
  get publicUrl(): string {
    const url = typeof this.publicUrlSource === 'string' ? this.publicUrlSource : this.publicUrlSource();
    return url.replace(/\/+$/, '');
  }

  /** The caller of an API request (401 without a valid API key). */
  authenticate(request: FastifyRequest): Promise<Caller> {
    let caller = this.#callers.get(request);
    if (caller === undefined) {
      caller = authenticate(this.db, request);
      this.#callers.set(request, caller);
    }
    return caller;
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
