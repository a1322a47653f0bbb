import type { FastifyRequest } from 'fastify';
import type { ApiKey, Role, Stack } from '../../domain/model';
import { roleSatisfies, SpaceTree } from '../../domain/spaces';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../errors';
import { hashSecret } from '../secrets';
import { findApiKeyWithSpaces, spaceTreeOf } from '../store/apiKeys';
import type { Queryable } from '../store/database';
import type { ReadCache } from '../store/read-cache';
import { findIntegration, type StoredIntegration } from '../store/integrations';
import { findStack } from '../store/stacks';

/** The authenticated API key of a request and the space tree its access is decided on. */
export class Caller {
  constructor(
    readonly apiKey: ApiKey,
    readonly tree: SpaceTree,
  ) {}

  /** The caller's effective role on a space (null: it cannot even read it). */
  roleOn(spaceId: string): Role | null {
    return this.tree.roleOn(this.apiKey.roles, spaceId);
  }

  can(role: Role, spaceId: string): boolean {
    return roleSatisfies(this.roleOn(spaceId), role);
  }

  /**
   * Throws unless the caller holds `role` on the space: 404 when it cannot read the space at all (do not leak
   * existence), 403 when it can read it but lacks the role.
   */
  require(role: Role, spaceId: string, what: string): void {
    const held = this.roleOn(spaceId);
    if (held === null) throw new NotFoundError(`${what} not found`);
    if (!roleSatisfies(held, role)) throw this.forbidden(`${what} needs the ${role} role on space "${spaceId}"`, spaceId, role);
  }

  /**
   * A 403 that names the key (id and name are not secret; admins list them), so a client holding only the
   * secret can tell people which key lacks which role where.
   */
  forbidden(message: string, spaceId: string, role: Role): ForbiddenError {
    return new ForbiddenError(message, { spaceId, role, apiKeyId: this.apiKey.id, apiKeyName: this.apiKey.name });
  }

  /** Whether the integration shows up in the caller's list: the default one always, others with read on their space. */
  canListIntegration(integration: { isDefault: boolean; spaceId: string }): boolean {
    return integration.isDefault || this.can('read', integration.spaceId);
  }
}

/** The secret of an `Authorization: Bearer <secret>` header, or null. */
export function bearerSecret(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match === null ? null : (match[1] as string);
}

/**
 * The caller whose API key has this secret, or null. Kept in `reads` until an API key, a role binding or a space
 * changes (callers of different keys share one space tree); an unknown secret is looked up every time.
 */
export function callerWithSecret(db: Queryable, reads: ReadCache, secret: string): Promise<Caller | null> {
  const secretHash = hashSecret(secret);
  return reads.get(
    `api-key ${secretHash}`,
    async () => {
      const found = await findApiKeyWithSpaces(db, secretHash);
      return found === null ? null : new Caller(found.apiKey, reads.shared('space tree', found.spaces, spaceTreeOf));
    },
    (caller) => caller !== null,
  );
}

/** Authenticates a request by its API key; 401 when there is no key or it is not a valid one. */
export async function authenticate(db: Queryable, reads: ReadCache, request: FastifyRequest): Promise<Caller> {
  const secret = bearerSecret(request.headers.authorization);
  if (secret === null) throw new UnauthorizedError('missing API key: send "Authorization: Bearer <api key>"');
  const caller = await callerWithSecret(db, reads, secret);
  if (caller === null) throw new UnauthorizedError('invalid API key');
  return caller;
}

/**
 * The stack `id` if the caller may act on it with `role` on its space: 404 when it does not exist or the caller
 * cannot read it, 403 when it can read but lacks the role.
 */
export async function stackForCaller(db: Queryable, caller: Caller, id: string, role: Role): Promise<Stack> {
  const stack = await findStack(db, id);
  if (stack === null || !caller.can('read', stack.spaceId)) throw new NotFoundError(`stack "${id}" not found`);
  caller.require(role, stack.spaceId, `stack "${id}"`);
  return stack;
}

/**
 * The integration `id` for one of three uses:
 * - `list`: the caller can see it exists (default integration, or read on its space);
 * - `details`: its secret, username and delivery log — admin on its space (root for the default integration);
 * - `admin`: change or delete it — also admin on its space.
 * 404 when the caller cannot list it, 403 when it can list it but lacks admin.
 */
export async function integrationForCaller(
  db: Queryable,
  caller: Caller,
  id: string,
  use: 'list' | 'details' | 'admin',
): Promise<StoredIntegration> {
  const integration = await findIntegration(db, id);
  if (integration === null || !caller.canListIntegration(integration)) {
    throw new NotFoundError(`integration "${id}" not found`);
  }
  if (use !== 'list' && !caller.can('admin', integration.spaceId)) {
    throw caller.forbidden(
      `the ${use === 'details' ? 'details of' : 'changes to'} integration "${id}" need the admin role on space "${integration.spaceId}"`,
      integration.spaceId,
      'admin',
    );
  }
  return integration;
}
