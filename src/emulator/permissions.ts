/** Bitbucket DC's permission names and how they order. */

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
