import { createHash, randomBytes } from 'node:crypto';
import { errors } from './errors';
import {
  globalRank,
  isGlobalPermission,
  isProjectPermission,
  isRepositoryPermission,
  levelOf,
  type GlobalPermission,
  type Level,
  type ProjectPermission,
  type RepositoryPermission,
  type TokenPermission,
} from './permissions';
import { isBitbucketWebhookEvent } from '../domain/webhook-events';

/**
 * The emulator's in-memory state and Bitbucket's rules over it (permissions, validation, webhook
 * inheritance). It knows nothing of HTTP: the server maps its results and BitbucketApiErrors to responses.
 */

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

export const ADMIN_USERNAME = 'admin';
/** Bitbucket shows recent invocations only; the emulator keeps this many per webhook. */
const INVOCATIONS_KEPT_PER_WEBHOOK = 50;
const ZERO_COMMIT = '0'.repeat(40);

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function repositoryKey(projectKey: string, slug: string): string {
  return `${projectKey}/${slug}`;
}

function slugify(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^-+|-+$/g, '');
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

export class EmulatorModel {
  private nextId = 1;
  private readonly users = new Map<string, User>();
  private readonly projects = new Map<string, Project>();
  /** Insertion-ordered per project so listings are stable and cheap. */
  private readonly repositories = new Map<string, Repository>();
  private readonly webhooks = new Map<number, Webhook>();
  private readonly webhooksByScope = new Map<string, Webhook[]>();
  private readonly tokens = new Map<string, AccessToken>();
  private readonly tokensByHash = new Map<string, AccessToken>();
  private readonly pullRequests = new Map<string, PullRequest>();
  private readonly invocationsByWebhook = new Map<number, Invocation[]>();
  /** Called after every change, so a state file can be saved. */
  onChange: () => void = () => undefined;

  /** The admin token is given at start and never stored, so only its hash is kept. */
  constructor(readonly adminTokenHash: string) {
    this.ensureAdmin();
  }

  private id(): number {
    return this.nextId++;
  }

  private changed(): void {
    this.onChange();
  }

  private ensureAdmin(): void {
    if (!this.users.has(ADMIN_USERNAME)) {
      this.users.set(ADMIN_USERNAME, {
        id: this.id(),
        name: ADMIN_USERNAME,
        slug: ADMIN_USERNAME,
        displayName: 'Administrator',
        emailAddress: 'admin@example.com',
        password: null,
        globalPermission: 'SYS_ADMIN',
        projectPermissions: {},
        repositoryPermissions: {},
      });
    }
  }

  // ----- authentication -------------------------------------------------------------------------------

  /** Resolves `Authorization: Bearer <token>`; null when the token is unknown or expired. */
  principalForBearer(token: string): Principal | null {
    const hash = hashToken(token);
    if (hash === this.adminTokenHash) return this.adminPrincipal();
    const found = this.tokensByHash.get(hash);
    if (found === undefined || this.isExpired(found)) return null;
    const user = found.owner.type === 'user' ? (this.users.get(found.owner.userSlug) ?? null) : null;
    if (found.owner.type === 'user' && user === null) return null;
    return { user, token: found, isAdmin: false };
  }

  /**
   * Resolves Basic `username:secret`: the secret is the user's password or one of the user's own tokens
   * (project and repository tokens do not work with a username, as in Bitbucket).
   */
  principalForBasic(username: string, secret: string): Principal | null {
    const user = this.users.get(username.toLowerCase());
    if (user === undefined) return null;
    if (user.name === ADMIN_USERNAME && hashToken(secret) === this.adminTokenHash) return this.adminPrincipal();
    if (user.password !== null && user.password === secret) return { user, token: null, isAdmin: false };
    const token = this.tokensByHash.get(hashToken(secret));
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
    return { user: this.users.get(ADMIN_USERNAME) ?? null, token: null, isAdmin: true };
  }

  private isExpired(token: AccessToken): boolean {
    return token.expiryDays !== null && Date.now() > token.createdDate + token.expiryDays * 86_400_000;
  }

  // ----- permissions ----------------------------------------------------------------------------------

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
    const publicRead: Level = repository.public || this.projects.get(repository.projectKey)?.public ? 1 : 0;
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
    for (const repository of this.repositoriesOf(project.key)) {
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
    const project = this.getProject(projectKey);
    if (this.projectLevel(principal, project.key) < level) throw errors.notPermitted();
    return project;
  }

  requireRepositoryLevel(principal: Principal, projectKey: string, slug: string, level: Level): Repository {
    const repository = this.getRepository(projectKey, slug);
    if (this.repositoryLevel(principal, repository) < level) throw errors.notPermitted();
    return repository;
  }

  // ----- users ----------------------------------------------------------------------------------------

  createUser(input: CreateUserInput): User {
    const name = input.name.trim();
    if (!/^[A-Za-z0-9_.@-]+$/.test(name)) {
      throw errors.invalid(`"${input.name}" is not a valid username: use letters, digits, _ . @ -`, 'name');
    }
    const slug = name.toLowerCase();
    if (this.users.has(slug)) throw errors.invalid(`A user named ${name} already exists.`, 'name');
    if (input.globalPermission != null && !isGlobalPermission(input.globalPermission)) {
      throw errors.invalid(`${String(input.globalPermission)} is not a valid global permission`, 'globalPermission');
    }
    const user: User = {
      id: this.id(),
      name,
      slug,
      displayName: input.displayName ?? name,
      emailAddress: input.emailAddress ?? `${slug}@example.com`,
      password: input.password ?? null,
      globalPermission: input.globalPermission ?? 'LICENSED_USER',
      projectPermissions: {},
      repositoryPermissions: {},
    };
    this.users.set(slug, user);
    this.grant(slug, {
      projectPermissions: input.projectPermissions ?? {},
      repositoryPermissions: input.repositoryPermissions ?? {},
    });
    this.changed();
    return user;
  }

  getUser(slug: string): User {
    const user = this.users.get(slug.toLowerCase());
    if (user === undefined) throw errors.noSuchUser(slug);
    return user;
  }

  listUsers(): User[] {
    return [...this.users.values()];
  }

  /** Adds or replaces permissions of a user; keys are project keys and `PROJECTKEY/slug`. */
  grant(
    userSlug: string,
    grants: {
      globalPermission?: GlobalPermission | null;
      projectPermissions?: Record<string, ProjectPermission>;
      repositoryPermissions?: Record<string, RepositoryPermission>;
    },
  ): User {
    const user = this.getUser(userSlug);
    if (grants.globalPermission !== undefined) {
      if (grants.globalPermission !== null && !isGlobalPermission(grants.globalPermission)) {
        throw errors.invalid(`${String(grants.globalPermission)} is not a valid global permission`, 'globalPermission');
      }
      user.globalPermission = grants.globalPermission;
    }
    for (const [key, permission] of Object.entries(grants.projectPermissions ?? {})) {
      if (!isProjectPermission(permission)) throw errors.invalid(`${permission} is not a valid project permission`, key);
      user.projectPermissions[key.toUpperCase()] = permission;
    }
    for (const [path, permission] of Object.entries(grants.repositoryPermissions ?? {})) {
      const [key, slug, ...rest] = path.split('/');
      if (!key || !slug || rest.length > 0) {
        throw errors.invalid(`"${path}" must name a repository as PROJECTKEY/slug`, path);
      }
      if (!isRepositoryPermission(permission)) {
        throw errors.invalid(`${permission} is not a valid repository permission`, path);
      }
      user.repositoryPermissions[repositoryKey(key.toUpperCase(), slug.toLowerCase())] = permission;
    }
    this.changed();
    return user;
  }

  // ----- projects and repositories --------------------------------------------------------------------

  createProject(input: { key: string; name: string; description?: string | null; public?: boolean }): Project {
    const key = input.key.trim();
    if (!/^[A-Za-z][A-Za-z0-9_]{0,127}$/.test(key)) {
      throw errors.invalid(
        'Project keys must start with a letter and may only consist of ASCII letters, numbers and underscores (A-Z, a-z, 0-9, _).',
        'key',
      );
    }
    const name = input.name.trim();
    if (name === '' || name.length > 128 || name.startsWith('~')) {
      throw errors.invalid('Project name must be between 1 and 128 characters and not start with ~.', 'name');
    }
    const upperKey = key.toUpperCase();
    if (this.projects.has(upperKey)) throw errors.duplicateProject('Project key must be unique.', 'key');
    for (const other of this.projects.values()) {
      if (other.name.toLowerCase() === name.toLowerCase()) {
        throw errors.duplicateProject('Project name must be unique.', 'name');
      }
    }
    const project: Project = {
      id: this.id(),
      key: upperKey,
      name,
      description: input.description ?? null,
      public: input.public ?? false,
    };
    this.projects.set(upperKey, project);
    this.changed();
    return project;
  }

  getProject(key: string): Project {
    const project = this.projects.get(key.toUpperCase());
    if (project === undefined) throw errors.noSuchProject(key);
    return project;
  }

  listProjects(): Project[] {
    return [...this.projects.values()];
  }

  deleteProject(key: string): void {
    const project = this.getProject(key);
    if (this.repositoriesOf(project.key).length > 0) {
      throw errors.projectNotEmpty(project.key);
    }
    this.projects.delete(project.key);
    this.removeWebhooksOfScope(this.scopeKey({ type: 'project', projectKey: project.key }));
    this.changed();
  }

  createRepository(
    projectKey: string,
    input: { name: string; slug?: string; description?: string | null; defaultBranch?: string; public?: boolean; forkable?: boolean },
  ): Repository {
    const project = this.getProject(projectKey);
    const name = input.name.trim();
    if (name === '' || name.length > 128) {
      throw errors.invalid('Repository name must be between 1 and 128 characters.', 'name');
    }
    const slug = (input.slug ?? slugify(name)).toLowerCase();
    if (!/^[a-z0-9_.-]+$/.test(slug) || slug.length > 128) {
      throw errors.invalid(
        'Repository slugs may only contain letters, numbers, periods, hyphens and underscores.',
        'slug',
      );
    }
    if (this.repositories.has(repositoryKey(project.key, slug))) {
      throw errors.duplicateRepository('This repository URL is already taken by another repository.');
    }
    const defaultBranch = input.defaultBranch?.trim() || 'main';
    const repository: Repository = {
      id: this.id(),
      projectKey: project.key,
      slug,
      name,
      description: input.description ?? null,
      defaultBranch,
      public: input.public ?? false,
      forkable: input.forkable ?? true,
      archived: false,
      hierarchyId: randomBytes(10).toString('hex'),
      branches: { [defaultBranch]: randomBytes(20).toString('hex') },
    };
    this.repositories.set(repositoryKey(project.key, slug), repository);
    this.changed();
    return repository;
  }

  getRepository(projectKey: string, slug: string): Repository {
    const project = this.getProject(projectKey);
    const repository = this.repositories.get(repositoryKey(project.key, slug.toLowerCase()));
    if (repository === undefined) throw errors.noSuchRepository(project.key, slug);
    return repository;
  }

  repositoriesOf(projectKey: string): Repository[] {
    const key = projectKey.toUpperCase();
    return [...this.repositories.values()].filter((repository) => repository.projectKey === key);
  }

  listRepositories(): Repository[] {
    return [...this.repositories.values()];
  }

  deleteRepository(projectKey: string, slug: string): void {
    const repository = this.getRepository(projectKey, slug);
    this.repositories.delete(repositoryKey(repository.projectKey, repository.slug));
    this.removeWebhooksOfScope(
      this.scopeKey({ type: 'repository', projectKey: repository.projectKey, repositorySlug: repository.slug }),
    );
    for (const [key, pullRequest] of this.pullRequests) {
      if (pullRequest.projectKey === repository.projectKey && pullRequest.repositorySlug === repository.slug) {
        this.pullRequests.delete(key);
      }
    }
    this.changed();
  }

  /** Moves a branch head (creating or deleting the branch) and returns the change for a refs_changed event. */
  moveBranch(
    repository: Repository,
    branch: string,
    toHash: string | null,
  ): { branch: string; fromHash: string; toHash: string; type: 'ADD' | 'UPDATE' | 'DELETE' } {
    const fromHash = repository.branches[branch] ?? ZERO_COMMIT;
    const type = fromHash === ZERO_COMMIT ? 'ADD' : toHash === ZERO_COMMIT ? 'DELETE' : 'UPDATE';
    const newHash = toHash ?? randomBytes(20).toString('hex');
    if (newHash === ZERO_COMMIT) delete repository.branches[branch];
    else repository.branches[branch] = newHash;
    this.changed();
    return { branch, fromHash, toHash: newHash, type };
  }

  // ----- webhooks -------------------------------------------------------------------------------------

  private scopeKey(scope: WebhookScope): string {
    return scope.type === 'project'
      ? `project:${scope.projectKey}`
      : `repository:${scope.projectKey}/${scope.repositorySlug}`;
  }

  private removeWebhooksOfScope(scopeKey: string): void {
    for (const webhook of this.webhooksByScope.get(scopeKey) ?? []) {
      this.webhooks.delete(webhook.id);
      this.invocationsByWebhook.delete(webhook.id);
    }
    this.webhooksByScope.delete(scopeKey);
  }

  /** Bitbucket's checks on a webhook body (400 for each problem it reports). */
  private validateWebhook(input: WebhookInput): void {
    if (input.name.trim() === '') throw errors.invalidWebhook('A webhook name is required.', 'name');
    let url: URL;
    try {
      url = new URL(input.url);
    } catch {
      throw errors.invalidWebhook(`"${input.url}" is not a valid URL.`, 'url');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw errors.invalidWebhook(`The webhook URL must use http or https, got "${url.protocol}".`, 'url');
    }
    if (input.events.length === 0) {
      throw errors.invalidWebhook('At least one event must be specified for the webhook.', 'events');
    }
    const seen = new Set<string>();
    for (const event of input.events) {
      if (!isBitbucketWebhookEvent(event)) throw errors.invalidWebhook(`the event ${event} is unknown`, 'events');
      if (seen.has(event)) throw errors.invalidWebhook(`The event ${event} is listed more than once.`, 'events');
      seen.add(event);
    }
    if (input.configuration.secret === '') {
      // Observed on Bitbucket DC: an empty-string secret makes the server fail instead of validating.
      throw errors.internal('An error occurred while processing the request: the webhook secret must not be empty.');
    }
  }

  createWebhook(scope: WebhookScope, input: WebhookInput): Webhook {
    this.validateWebhook(input);
    const now = Date.now();
    const webhook: Webhook = {
      id: this.id(),
      scope,
      ...input,
      events: [...input.events],
      configuration: { ...input.configuration },
      createdDate: now,
      updatedDate: now,
    };
    this.webhooks.set(webhook.id, webhook);
    const key = this.scopeKey(scope);
    const list = this.webhooksByScope.get(key);
    if (list === undefined) this.webhooksByScope.set(key, [webhook]);
    else list.push(webhook);
    this.changed();
    return webhook;
  }

  /** Webhooks defined directly on a scope (list endpoints). */
  webhooksOf(scope: WebhookScope): Webhook[] {
    return this.webhooksByScope.get(this.scopeKey(scope)) ?? [];
  }

  /** Webhooks that fire for a repository: its own and its project's (search endpoint, deliveries). */
  webhooksFiringFor(repository: Repository): Webhook[] {
    return [
      ...this.webhooksOf({ type: 'repository', projectKey: repository.projectKey, repositorySlug: repository.slug }),
      ...this.webhooksOf({ type: 'project', projectKey: repository.projectKey }),
    ];
  }

  getWebhook(scope: WebhookScope, id: string): Webhook {
    const numeric = /^\d+$/.test(id) ? Number(id) : NaN;
    const webhook = this.webhooks.get(numeric);
    if (webhook === undefined || this.scopeKey(webhook.scope) !== this.scopeKey(scope)) {
      throw errors.noSuchWebhook(id);
    }
    return webhook;
  }

  /** PUT semantics: the body replaces the webhook; an omitted password keeps the stored one for the same username. */
  replaceWebhook(scope: WebhookScope, id: string, input: WebhookInput): Webhook {
    const webhook = this.getWebhook(scope, id);
    this.validateWebhook(input);
    let credentials = input.credentials;
    if (
      credentials !== null &&
      credentials.password === null &&
      webhook.credentials !== null &&
      webhook.credentials.username === credentials.username
    ) {
      credentials = { username: credentials.username, password: webhook.credentials.password };
    }
    Object.assign(webhook, {
      ...input,
      events: [...input.events],
      configuration: { ...input.configuration },
      credentials,
      updatedDate: Math.max(Date.now(), webhook.updatedDate + 1),
    });
    this.changed();
    return webhook;
  }

  deleteWebhook(scope: WebhookScope, id: string): void {
    const webhook = this.getWebhook(scope, id);
    this.webhooks.delete(webhook.id);
    this.invocationsByWebhook.delete(webhook.id);
    const key = this.scopeKey(scope);
    const list = (this.webhooksByScope.get(key) ?? []).filter((other) => other.id !== webhook.id);
    this.webhooksByScope.set(key, list);
    this.changed();
  }

  // ----- invocations ----------------------------------------------------------------------------------

  recordInvocation(invocation: Omit<Invocation, 'id'>): Invocation {
    const recorded: Invocation = { id: this.id(), ...invocation };
    const list = this.invocationsByWebhook.get(invocation.webhookId) ?? [];
    list.push(recorded);
    if (list.length > INVOCATIONS_KEPT_PER_WEBHOOK) list.splice(0, list.length - INVOCATIONS_KEPT_PER_WEBHOOK);
    this.invocationsByWebhook.set(invocation.webhookId, list);
    this.changed();
    return recorded;
  }

  /** Invocations of a webhook, oldest first. */
  invocationsOf(webhookId: number): Invocation[] {
    return this.invocationsByWebhook.get(webhookId) ?? [];
  }

  // ----- access tokens --------------------------------------------------------------------------------

  createToken(
    owner: TokenOwner,
    input: { name: string; permissions: string[]; expiryDays: number | null },
  ): { token: AccessToken; secret: string } {
    if (input.name.trim() === '') throw errors.invalid('A token name is required.', 'name');
    const permissions = this.validateTokenPermissions(owner, input.permissions);
    if (input.expiryDays !== null && (!Number.isInteger(input.expiryDays) || input.expiryDays < 1)) {
      throw errors.invalid('expiryDays must be a positive whole number of days.', 'expiryDays');
    }
    const id = String(100_000_000_000 + this.id());
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
    this.tokens.set(id, token);
    this.tokensByHash.set(token.tokenHash, token);
    this.changed();
    return { token, secret };
  }

  private validateTokenPermissions(owner: TokenOwner, permissions: string[]): TokenPermission[] {
    if (permissions.length === 0) throw errors.invalid('At least one permission is required.', 'permissions');
    const result: TokenPermission[] = [];
    for (const permission of permissions) {
      const allowed = owner.type === 'repository' ? isRepositoryPermission(permission) : isRepositoryPermission(permission) || isProjectPermission(permission);
      if (!allowed) throw errors.invalid(`${permission} is not a valid permission`, 'permissions');
      if (!result.includes(permission as TokenPermission)) result.push(permission as TokenPermission);
    }
    return result;
  }

  tokensOf(owner: TokenOwner): AccessToken[] {
    return [...this.tokens.values()].filter((token) => sameOwner(token.owner, owner));
  }

  getToken(owner: TokenOwner, id: string): AccessToken {
    const token = this.tokens.get(id);
    if (token === undefined || !sameOwner(token.owner, owner)) throw errors.noSuchToken(id);
    return token;
  }

  updateToken(owner: TokenOwner, id: string, input: { name?: string; permissions?: string[]; expiryDays?: number | null }): AccessToken {
    const token = this.getToken(owner, id);
    if (input.name !== undefined) {
      if (input.name.trim() === '') throw errors.invalid('A token name is required.', 'name');
      token.name = input.name.trim();
    }
    if (input.permissions !== undefined) token.permissions = this.validateTokenPermissions(owner, input.permissions);
    if (input.expiryDays !== undefined) {
      if (input.expiryDays !== null && (!Number.isInteger(input.expiryDays) || input.expiryDays < 1)) {
        throw errors.invalid('expiryDays must be a positive whole number of days.', 'expiryDays');
      }
      token.expiryDays = input.expiryDays;
    }
    this.changed();
    return token;
  }

  deleteToken(owner: TokenOwner, id: string): void {
    const token = this.getToken(owner, id);
    this.tokens.delete(id);
    this.tokensByHash.delete(token.tokenHash);
    this.changed();
  }

  // ----- pull requests --------------------------------------------------------------------------------

  createPullRequest(
    repository: Repository,
    input: { fromBranch: string; toBranch: string; title: string; description?: string; authorSlug: string },
  ): PullRequest {
    if (input.title.trim() === '') throw errors.invalid('A pull request title is required.', 'title');
    if (input.fromBranch === input.toBranch) {
      throw errors.invalid('The source and target branch of a pull request must differ.', 'fromBranch');
    }
    const toCommit = repository.branches[input.toBranch];
    if (toCommit === undefined) {
      throw errors.invalid(`The target branch ${input.toBranch} does not exist; push it first.`, 'toBranch');
    }
    // Opening a pull request from a branch nobody pushed yet is allowed: the emulator creates the branch.
    const fromCommit = repository.branches[input.fromBranch] ?? this.moveBranch(repository, input.fromBranch, null).toHash;
    const existing = [...this.pullRequests.values()].filter(
      (other) => other.projectKey === repository.projectKey && other.repositorySlug === repository.slug,
    );
    const now = Date.now();
    const pullRequest: PullRequest = {
      id: existing.reduce((max, other) => Math.max(max, other.id), 0) + 1,
      projectKey: repository.projectKey,
      repositorySlug: repository.slug,
      version: 0,
      title: input.title,
      description: input.description ?? '',
      state: 'OPEN',
      fromBranch: input.fromBranch,
      fromCommit,
      toBranch: input.toBranch,
      toCommit,
      authorSlug: input.authorSlug,
      reviewers: [],
      createdDate: now,
      updatedDate: now,
      closedDate: null,
      comments: [],
    };
    this.pullRequests.set(this.pullRequestKey(repository, pullRequest.id), pullRequest);
    this.changed();
    return pullRequest;
  }

  private pullRequestKey(repository: Repository, id: number): string {
    return `${repository.projectKey}/${repository.slug}#${id}`;
  }

  getPullRequest(repository: Repository, id: string): PullRequest {
    const pullRequest = /^\d+$/.test(id) ? this.pullRequests.get(this.pullRequestKey(repository, Number(id))) : undefined;
    if (pullRequest === undefined) throw errors.noSuchPullRequest(id);
    return pullRequest;
  }

  /** Applies a change to a pull request and bumps its version, as every Bitbucket update does. */
  updatePullRequest(pullRequest: PullRequest, change: (pullRequest: PullRequest) => void): PullRequest {
    change(pullRequest);
    pullRequest.version += 1;
    pullRequest.updatedDate = Math.max(Date.now(), pullRequest.updatedDate + 1);
    this.changed();
    return pullRequest;
  }

  nextCommentId(): number {
    return this.id();
  }

  // ----- persistence ----------------------------------------------------------------------------------

  snapshot(): EmulatorState {
    return {
      version: 1,
      nextId: this.nextId,
      users: this.listUsers(),
      projects: this.listProjects(),
      repositories: this.listRepositories(),
      webhooks: [...this.webhooks.values()],
      tokens: [...this.tokens.values()],
      pullRequests: [...this.pullRequests.values()],
      invocations: [...this.invocationsByWebhook.values()].flat(),
    };
  }

  /** Replaces the state with a snapshot (a saved state file); the admin user always exists. */
  restore(state: EmulatorState): void {
    this.users.clear();
    this.projects.clear();
    this.repositories.clear();
    this.webhooks.clear();
    this.webhooksByScope.clear();
    this.tokens.clear();
    this.tokensByHash.clear();
    this.pullRequests.clear();
    this.invocationsByWebhook.clear();
    this.nextId = state.nextId;
    for (const user of state.users) this.users.set(user.slug, user);
    this.ensureAdmin();
    for (const project of state.projects) this.projects.set(project.key, project);
    for (const repository of state.repositories) {
      this.repositories.set(repositoryKey(repository.projectKey, repository.slug), repository);
    }
    for (const webhook of state.webhooks) {
      this.webhooks.set(webhook.id, webhook);
      const key = this.scopeKey(webhook.scope);
      this.webhooksByScope.set(key, [...(this.webhooksByScope.get(key) ?? []), webhook]);
    }
    for (const token of state.tokens) {
      this.tokens.set(token.id, token);
      this.tokensByHash.set(token.tokenHash, token);
    }
    for (const pullRequest of state.pullRequests) {
      this.pullRequests.set(`${pullRequest.projectKey}/${pullRequest.repositorySlug}#${pullRequest.id}`, pullRequest);
    }
    for (const invocation of state.invocations) {
      const list = this.invocationsByWebhook.get(invocation.webhookId) ?? [];
      list.push(invocation);
      this.invocationsByWebhook.set(invocation.webhookId, list);
    }
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
