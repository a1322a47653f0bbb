/** The control plane's objects as the store returns them and the routes shape them (SPEC §1). */

export type Role = 'read' | 'write' | 'admin';

export interface RoleBinding {
  spaceId: string;
  role: Role;
}

export interface Space {
  id: string;
  name: string;
  /** null only for `root`. */
  parentSpaceId: string | null;
  inheritEntities: boolean;
  description: string;
  labels: string[];
  createdAt: string;
  updatedAt: string;
}

export interface ApiKey {
  id: string;
  name: string;
  roles: RoleBinding[];
  createdAt: string;
}

export interface Integration {
  /** Slug of the name. */
  id: string;
  name: string;
  isDefault: boolean;
  /** `root` for the default integration. */
  spaceId: string;
  apiHost: string;
  userFacingHost: string | null;
  username: string;
  labels: string[];
  description: string;
  createdAt: string;
  updatedAt: string;
}

export interface StackVcs {
  /** null means the default integration (or, when the stack is detached, none). */
  integrationId: string | null;
  projectKey: string;
  repositorySlug: string;
  branch: string;
  projectRoot: string;
}

export interface Stack {
  id: string;
  name: string;
  spaceId: string;
  vcs: StackVcs;
  autodeploy: boolean;
  labels: string[];
  /** True after the stack's integration was deleted, until it is attached to one again. */
  detached: boolean;
  /** Whether the control plane holds the stack's Terraform state (SPEC §7.4); false: the stack brings its own backend. */
  manageState: boolean;
  createdAt: string;
  updatedAt: string;
}

export const ROOT_SPACE_ID = 'root';
export const BITBUCKET_DATACENTER = 'bitbucket-datacenter';

/** A Terraform module published from a repository's tags (SPEC §10); its registry address is spaceId/name/terraformProvider. */
export interface Module {
  id: string;
  name: string;
  terraformProvider: string;
  spaceId: string;
  vcs: StackVcs;
  labels: string[];
  description: string;
  /** True after the module's integration was deleted: its tags publish nothing until it is attached again. */
  detached: boolean;
  createdAt: string;
  updatedAt: string;
}

export type ModuleVersionState = 'ACTIVE' | 'FAILED' | 'RETRACTED';

export interface ModuleVersion {
  moduleId: string;
  version: string;
  tag: string;
  commit: string;
  state: ModuleVersionState;
  /** Why a FAILED version is not a module, or which tag deletion retracted it; null for ACTIVE. */
  reason: string | null;
  createdAt: string;
  updatedAt: string;
}
