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
  /** Branch name → head commit; pushes through /_emulator/ move them. A new repository has none (it is empty). */
  branches: Record<string, string>;
  /** Tag name → tagged commit (lightweight tags); absent in state files written before tags existed. */
  tags?: Record<string, string>;
}

/** A person and a time, as Git records the author and committer of a commit. */
export interface Signature {
  name: string;
  emailAddress: string;
  /** Milliseconds since the epoch. */
  timestamp: number;
}

/** A commit of a repository: its id is Git's (git-objects.ts), computed from everything below. */
export interface Commit {
  id: string;
  projectKey: string;
  repositorySlug: string;
  parents: string[];
  /** The whole file tree: path → blob id (the blob's content is kept once, by id). */
  tree: Record<string, string>;
  author: Signature;
  committer: Signature;
  message: string;
}

export type BuildState = 'CANCELLED' | 'FAILED' | 'INPROGRESS' | 'SUCCESSFUL' | 'UNKNOWN';

/** A build status of a commit; one per (repository, commit, key): posting the same key again replaces it. */
export interface BuildStatus {
  projectKey: string;
  repositorySlug: string;
  commit: string;
  key: string;
  state: BuildState;
  url: string;
  name: string | null;
  description: string | null;
  buildNumber: string | null;
  duration: number | null;
  parent: string | null;
  ref: string | null;
  testResults: { successful: number; failed: number; skipped: number } | null;
  createdDate: number;
  updatedDate: number;
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
  comments: PullRequestComment[];
  /** What happened to the pull request, oldest first (its `activities`). */
  activities: PullRequestActivity[];
}

export interface PullRequestComment {
  id: number;
  text: string;
  authorSlug: string;
  createdDate: number;
  updatedDate: number;
  /** Bumped by every edit; an update or delete must name the current one. */
  version: number;
  /** The comment this one replies to. */
  parentId: number | null;
}

export type PullRequestActivityAction = 'OPENED' | 'COMMENTED' | 'APPROVED' | 'UNAPPROVED' | 'MERGED' | 'RESCOPED' | 'UPDATED';

export interface PullRequestActivity {
  id: number;
  action: PullRequestActivityAction;
  createdDate: number;
  userSlug: string;
  /** COMMENTED: the comment and what was done to it. */
  commentId?: number;
  commentAction?: 'ADDED' | 'EDITED' | 'DELETED';
  /** RESCOPED: the source branch's old and new head. */
  previousFromHash?: string;
  fromHash?: string;
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
  /** Repository content; absent in state files saved before repositories had content. */
  commits?: Commit[];
  /** Blob id → content, base64. */
  blobs?: Array<{ id: string; content: string }>;
  buildStatuses?: BuildStatus[];
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
