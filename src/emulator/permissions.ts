/**
 * Bitbucket DC's permissions: their names and order, and who may do what — the principal a request's credentials
 * stand for, and its level on a project or repository (user permissions, capped by a token's; public objects).
 */
import { errors } from './errors';
import { ADMIN_USERNAME, hashToken, type AccessToken, type Principal, type Project, type Repository, type User } from './entities';
import type { Projects, Repositories } from './projects';
import { repositoryKey, type EmulatorStore } from './store';

export const REPOSITORY_PERMISSIONS = ['REPO_READ', 'REPO_WRITE', 'REPO_ADMIN'] as const;
export const PROJECT_PERMISSIONS = ['PROJECT_READ', 'PROJECT_WRITE', 'PROJECT_ADMIN'] as const;
/** Global permissions, weakest first; ADMIN and SYS_ADMIN hold every project and repository permission. */
export const GLOBAL_PERMISSIONS = ['LICENSED_USER', 'PROJECT_CREATE', 'ADMIN', 'SYS_ADMIN'] as const;

export type RepositoryPermission = (typeof REPOSITORY_PERMISSIONS)[number];
export type ProjectPermission = (typeof PROJECT_PERMISSIONS)[number];
export type GlobalPermission = (typeof GLOBAL_PERMISSIONS)[number];
/** The permissions an HTTP access token can carry (repository tokens only the REPO_* ones). */
export type TokenPermission = RepositoryPermission | ProjectPermission;

/** 0 = none, 1 = read, 2 = write, 3 = admin; project and repository permissions share the scale. */
export type Level = 0 | 1 | 2 | 3;

export function levelOf(permission: TokenPermission): Level {
  return (permission.endsWith('_ADMIN') ? 3 : permission.endsWith('_WRITE') ? 2 : 1) as Level;
}

export function isRepositoryPermission(value: string): value is RepositoryPermission {
  return (REPOSITORY_PERMISSIONS as readonly string[]).includes(value);
}

export function isProjectPermission(value: string): value is ProjectPermission {
  return (PROJECT_PERMISSIONS as readonly string[]).includes(value);
}

export function isGlobalPermission(value: string): value is GlobalPermission {
  return (GLOBAL_PERMISSIONS as readonly string[]).includes(value);
}

export function globalRank(permission: GlobalPermission | null): number {
  return permission === null ? -1 : GLOBAL_PERMISSIONS.indexOf(permission);
}

/** Who a request is, and what it may do (Bitbucket's rules: project permissions count on repositories, tokens cap). */
export class Permissions {
  /** The admin token is given at start and never stored, so only its hash is kept. */
  constructor(
    private readonly store: EmulatorStore,
    private readonly projects: Projects,
    private readonly repositories: Repositories,
    private readonly adminTokenHash: string,
  ) {}

  /** Resolves `Authorization: Bearer <token>`; null when the token is unknown or expired. */
  principalForBearer(token: string): Principal | null {
    const hash = hashToken(token);
    if (hash === this.adminTokenHash) return this.adminPrincipal();
    const found = this.store.tokensByHash.get(hash);
    if (found === undefined || this.isExpired(found)) return null;
    const user = found.owner.type === 'user' ? (this.store.users.get(found.owner.userSlug) ?? null) : null;
    if (found.owner.type === 'user' && user === null) return null;
    return { user, token: found, isAdmin: false };
  }

  /**
   * Resolves Basic `username:secret`: the secret is the user's password or one of the user's own tokens
   * (project and repository tokens do not work with a username, as in Bitbucket).
   */
  principalForBasic(username: string, secret: string): Principal | null {
    const user = this.store.users.get(username.toLowerCase());
    if (user === undefined) return null;
    if (user.name === ADMIN_USERNAME && hashToken(secret) === this.adminTokenHash) return this.adminPrincipal();
    if (user.password !== null && user.password === secret) return { user, token: null, isAdmin: false };
    const token = this.store.tokensByHash.get(hashToken(secret));
    if (
      token !== undefined &&
      !this.isExpired(token) &&
      token.owner.type === 'user' &&
      token.owner.userSlug === user.slug
    ) {
      return { user, token, isAdmin: false };
    }
    return null;
  }

  private adminPrincipal(): Principal {
    return { user: this.store.users.get(ADMIN_USERNAME) ?? null, token: null, isAdmin: true };
  }

  private isExpired(token: AccessToken): boolean {
    return token.expiryDays !== null && Date.now() > token.createdDate + token.expiryDays * 86_400_000;
  }

  private userProjectLevel(user: User, projectKey: string): Level {
    if (globalRank(user.globalPermission) >= globalRank('ADMIN')) return 3;
    const permission = user.projectPermissions[projectKey];
    return permission === undefined ? 0 : levelOf(permission);
  }

  private userRepositoryLevel(user: User, projectKey: string, slug: string): Level {
    const own = user.repositoryPermissions[repositoryKey(projectKey, slug)];
    return Math.max(this.userProjectLevel(user, projectKey), own === undefined ? 0 : levelOf(own)) as Level;
  }

  /** The strongest project and repository levels a token allows, whatever its owner may do. */
  private tokenCaps(token: AccessToken): { project: Level; repository: Level } {
    let project: Level = 0;
    let repository: Level = 0;
    for (const permission of token.permissions) {
      const level = levelOf(permission);
      if (isProjectPermission(permission)) project = Math.max(project, level) as Level;
      else repository = Math.max(repository, level) as Level;
    }
    return { project, repository: Math.max(project, repository) as Level };
  }

  /** The principal's level on a project (as project permission). */
  projectLevel(principal: Principal, projectKey: string): Level {
    if (principal.isAdmin) return 3;
    const token = principal.token;
    if (token !== null && token.owner.type !== 'user') {
      return token.owner.type === 'project' && token.owner.projectKey === projectKey ? this.tokenCaps(token).project : 0;
    }
    if (principal.user === null) return 0;
    const level = this.userProjectLevel(principal.user, projectKey);
    return token === null ? level : (Math.min(level, this.tokenCaps(token).project) as Level);
  }

  /** The principal's level on a repository: project permissions count, tokens cap it. */
  repositoryLevel(principal: Principal, repository: Repository): Level {
    if (principal.isAdmin) return 3;
    const publicRead: Level = repository.public || this.store.projects.get(repository.projectKey)?.public ? 1 : 0;
    const token = principal.token;
    let level: Level;
    if (token !== null && token.owner.type !== 'user') {
      const owner = token.owner;
      const matches =
        owner.projectKey === repository.projectKey &&
        (owner.type === 'project' || owner.repositorySlug === repository.slug);
      level = matches ? this.tokenCaps(token).repository : 0;
    } else if (principal.user === null) {
      level = 0;
    } else {
      const userLevel = this.userRepositoryLevel(principal.user, repository.projectKey, repository.slug);
      level = token === null ? userLevel : (Math.min(userLevel, this.tokenCaps(token).repository) as Level);
    }
    return Math.max(level, publicRead) as Level;
  }

  /** PROJECT_VIEW: any permission on the project or on one of its repositories, or a public project. */
  canViewProject(principal: Principal, project: Project): boolean {
    if (project.public || this.projectLevel(principal, project.key) > 0) return true;
    for (const repository of this.repositories.of(project.key)) {
      if (this.repositoryLevel(principal, repository) > 0) return true;
    }
    return false;
  }

  canCreateProjects(principal: Principal): boolean {
    if (principal.isAdmin) return true;
    const user = principal.user;
    if (user === null || globalRank(user.globalPermission) < globalRank('PROJECT_CREATE')) return false;
    return principal.token === null || this.tokenCaps(principal.token).project === 3;
  }

  requireProjectLevel(principal: Principal, projectKey: string, level: Level): Project {
    const project = this.projects.get(projectKey);
    if (this.projectLevel(principal, project.key) < level) throw errors.notPermitted();
    return project;
  }

  requireRepositoryLevel(principal: Principal, projectKey: string, slug: string, level: Level): Repository {
    const repository = this.repositories.get(projectKey, slug);
    if (this.repositoryLevel(principal, repository) < level) throw errors.notPermitted();
    return repository;
  }

  /** Bitbucket: a token cannot create or manage tokens; only a password login (or the admin) can. */
  requireTokenManager(principal: Principal): void {
    if (principal.isAdmin) return;
    if (principal.user === null && principal.token === null) throw errors.notPermitted();
    if (principal.token !== null) throw errors.tokenCannotManageTokens();
  }

  /** Managing a user's tokens: the user themself, or a global ADMIN (with a password login, see requireTokenManager). */
  requireUserTokenManager(principal: Principal, user: User): void {
    this.requireTokenManager(principal);
    const isSelf = principal.user?.slug === user.slug;
    if (!principal.isAdmin && !isSelf && globalRank(principal.user?.globalPermission ?? null) < globalRank('ADMIN')) {
      throw errors.notPermitted();
    }
  }

  /** The emulator's own endpoints (/_emulator/) are for the admin token only. */
  requireAdmin(principal: Principal): void {
    if (!principal.isAdmin) throw errors.notPermitted();
  }
}
