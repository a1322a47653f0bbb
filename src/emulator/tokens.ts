import { randomBytes } from 'node:crypto';
import { errors } from './errors';
import { hashToken, type AccessToken, type TokenOwner } from './entities';
import { isProjectPermission, isRepositoryPermission, type TokenPermission } from './permissions';
import type { EmulatorStore } from './store';

/** HTTP access tokens of users, projects and repositories. */
export class AccessTokens {
  constructor(private readonly store: EmulatorStore) {}

  create(
    owner: TokenOwner,
    input: { name: string; permissions: string[]; expiryDays: number | null },
  ): { token: AccessToken; secret: string } {
    if (input.name.trim() === '') throw errors.invalid('A token name is required.', 'name');
    const permissions = this.validPermissions(owner, input.permissions);
    if (input.expiryDays !== null && (!Number.isInteger(input.expiryDays) || input.expiryDays < 1)) {
      throw errors.invalid('expiryDays must be a positive whole number of days.', 'expiryDays');
    }
    const id = String(100_000_000_000 + this.store.id());
    // Bitbucket tokens are base64 of "<id>:<random>"; the shape matters to nobody but looks familiar.
    const secret = Buffer.from(`${id}:${randomBytes(24).toString('base64url')}`).toString('base64').replace(/=+$/, '');
    const token: AccessToken = {
      id,
      name: input.name.trim(),
      tokenHash: hashToken(secret),
      owner,
      permissions,
      createdDate: Date.now(),
      expiryDays: input.expiryDays,
    };
    this.store.tokens.set(id, token);
    this.store.tokensByHash.set(token.tokenHash, token);
    this.store.changed();
    return { token, secret };
  }

  private validPermissions(owner: TokenOwner, permissions: string[]): TokenPermission[] {
    if (permissions.length === 0) throw errors.invalid('At least one permission is required.', 'permissions');
    const result: TokenPermission[] = [];
    for (const permission of permissions) {
      const allowed = owner.type === 'repository' ? isRepositoryPermission(permission) : isRepositoryPermission(permission) || isProjectPermission(permission);
      if (!allowed) throw errors.invalid(`${permission} is not a valid permission`, 'permissions');
      if (!result.includes(permission as TokenPermission)) result.push(permission as TokenPermission);
    }
    return result;
  }

  of(owner: TokenOwner): AccessToken[] {
    return [...this.store.tokens.values()].filter((token) => sameOwner(token.owner, owner));
  }

  get(owner: TokenOwner, id: string): AccessToken {
    const token = this.store.tokens.get(id);
    if (token === undefined || !sameOwner(token.owner, owner)) throw errors.noSuchToken(id);
    return token;
  }

  update(owner: TokenOwner, id: string, input: { name?: string; permissions?: string[]; expiryDays?: number | null }): AccessToken {
    const token = this.get(owner, id);
    if (input.name !== undefined) {
      if (input.name.trim() === '') throw errors.invalid('A token name is required.', 'name');
      token.name = input.name.trim();
    }
    if (input.permissions !== undefined) token.permissions = this.validPermissions(owner, input.permissions);
    if (input.expiryDays !== undefined) {
      if (input.expiryDays !== null && (!Number.isInteger(input.expiryDays) || input.expiryDays < 1)) {
        throw errors.invalid('expiryDays must be a positive whole number of days.', 'expiryDays');
      }
      token.expiryDays = input.expiryDays;
    }
    this.store.changed();
    return token;
  }

  delete(owner: TokenOwner, id: string): void {
    const token = this.get(owner, id);
    this.store.tokens.delete(id);
    this.store.tokensByHash.delete(token.tokenHash);
    this.store.changed();
  }
}

function sameOwner(a: TokenOwner, b: TokenOwner): boolean {
  if (a.type !== b.type) return false;
  if (a.type === 'user' && b.type === 'user') return a.userSlug === b.userSlug;
  if (a.type === 'project' && b.type === 'project') return a.projectKey === b.projectKey;
  return (
    a.type === 'repository' &&
    b.type === 'repository' &&
    a.projectKey === b.projectKey &&
    a.repositorySlug === b.repositorySlug
  );
}
