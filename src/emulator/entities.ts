/**
 * What the emulator remembers: the objects Bitbucket Data Center has (users, projects, repositories, webhooks,
 * access tokens, pull requests, webhook invocations), as the modules of the model keep them.
 */
import { createHash } from 'node:crypto';
import type { GlobalPermission, ProjectPermission, RepositoryPermission, TokenPermission } from './permissions';

export interface User {
  id: number;
  name: string;
  slug: string;
  displayName: string;
  emailAddress: string;
  /** For Basic authentication with a password; absent means only tokens work. */
  password: string | null;
  globalPermission: GlobalPermission | null;
  /** Project key → permission. */
  projectPermissions: Record<string, ProjectPermission>;
  /** `PROJECTKEY/slug` → permission. */
  repositoryPermissions: Record<string, RepositoryPermission>;
}

export interface Project {
  id: number;
  key: string;
  name: string;
  description: string | null;
  public: boolean;
}

export interface Repository {
  id: number;
  projectKey: string;
  slug: string;
  name: string;
  description: string | null;
  defaultBranch: string;
  public: boolean;
  forkable: boolean;
  archived: boolean;
  hierarchyId: string;
  /** Branch name → head commit; pushes through /_emulator/ move them. */
  branches: Record<string, string>;
}

export type WebhookScope =
  | { type: 'repository'; projectKey: string; repositorySlug: string }
  | { type: 'project'; projectKey: string };

export interface Webhook {
  id: number;
  scope: WebhookScope;
  name: string;
  url: string;
  events: string[];
  active: boolean;
  sslVerificationRequired: boolean;
  configuration: Record<string, string>;
  credentials: { username: string; password: string | null } | null;
  createdDate: number;
  updatedDate: number;
}

export type TokenOwner =
  | { type: 'user'; userSlug: string }
  | { type: 'project'; projectKey: string }
  | { type: 'repository'; projectKey: string; repositorySlug: string };

export interface AccessToken {
  id: string;
  name: string;
  /** The secret; Bitbucket shows it once, the emulator keeps only its hash. */
  tokenHash: string;
  owner: TokenOwner;
  permissions: TokenPermission[];
  createdDate: number;
  expiryDays: number | null;
}

export type InvocationOutcome = 'SUCCESS' | 'FAILURE' | 'ERROR';

/** One delivery attempt of one webhook, as Bitbucket reports it from `webhooks/{id}/latest`. */
export interface Invocation {
  id: number;
  webhookId: number;
  event: string;
  eventScope: { id: string; type: 'repository' | 'project' };
  requestId: string;
  start: number;
  finish: number;
  request: { url: string; method: 'POST'; headers: Record<string, string> };
  result: { outcome: InvocationOutcome; statusCode: number | null; description: string };
}

export interface PullRequestReviewer {
  userSlug: string;
  approved: boolean;
  status: 'UNAPPROVED' | 'APPROVED' | 'NEEDS_WORK';
  lastReviewedCommit: string | null;
}

export interface PullRequest {
  id: number;
  projectKey: string;
  repositorySlug: string;
  version: number;
  title: string;
  description: string;
  state: 'OPEN' | 'MERGED' | 'DECLINED';
  fromBranch: string;
  fromCommit: string;
  toBranch: string;
  toCommit: string;
  authorSlug: string;
  reviewers: PullRequestReviewer[];
  createdDate: number;
  updatedDate: number;
  closedDate: number | null;
  comments: Array<{ id: number; text: string; authorSlug: string; createdDate: number }>;
}

/** Who is making a request. `token` is absent for password logins and anonymous requests. */
export interface Principal {
  user: User | null;
  token: AccessToken | null;
  /** The emulator's admin token: every permission, acting as user `admin`. */
  isAdmin: boolean;
}

export const ANONYMOUS: Principal = { user: null, token: null, isAdmin: false };

/** Everything the emulator remembers; what `--state FILE` saves. */
export interface EmulatorState {
  version: 1;
  nextId: number;
  users: User[];
  projects: Project[];
  repositories: Repository[];
  webhooks: Webhook[];
  tokens: AccessToken[];
  pullRequests: PullRequest[];
  invocations: Invocation[];
}

export interface CreateUserInput {
  name: string;
  displayName?: string;
  emailAddress?: string;
  password?: string | null;
  globalPermission?: GlobalPermission | null;
  projectPermissions?: Record<string, ProjectPermission>;
  repositoryPermissions?: Record<string, RepositoryPermission>;
}

export interface WebhookInput {
  name: string;
  url: string;
  events: string[];
  active: boolean;
  sslVerificationRequired: boolean;
  configuration: Record<string, string>;
  credentials: { username: string; password: string | null } | null;
}

export const ADMIN_USERNAME = 'admin';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
