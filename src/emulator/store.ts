import {
  ADMIN_USERNAME,
  type AccessToken,
  type BuildStatus,
  type Commit,
  type EmulatorState,
  type Invocation,
  type Project,
  type PullRequest,
  type Repository,
  type User,
  type Webhook,
  type WebhookScope,
} from './entities';

/** The key of a repository in the store: `PROJECTKEY/slug`, as Bitbucket shows both. */
export function repositoryKey(projectKey: string, slug: string): string {
  return `${projectKey}/${slug}`;
}

/** The key of a webhook scope in the store. */
export function scopeKey(scope: WebhookScope): string {
  return scope.type === 'project' ? `project:${scope.projectKey}` : `repository:${scope.projectKey}/${scope.repositorySlug}`;
}

/** The key of a pull request in the store: its repository and its id (ids count per repository). */
export function pullRequestKey(projectKey: string, repositorySlug: string, id: number): string {
  return `${projectKey}/${repositorySlug}#${id}`;
}

/** The key of a commit in the store: its repository and its id (a commit belongs to the repositories it was pushed to). */
export function commitKey(projectKey: string, repositorySlug: string, id: string): string {
  return `${projectKey}/${repositorySlug}@${id}`;
}

/** The key of a build status: its repository, commit and key (one status per key and commit). */
export function buildStatusKey(status: Pick<BuildStatus, 'projectKey' | 'repositorySlug' | 'commit' | 'key'>): string {
  return `${commitKey(status.projectKey, status.repositorySlug, status.commit)}#${status.key}`;
}

/**
 * The emulator's in-memory state, shared by the model's modules (users, projects, webhooks, tokens, pull requests,
 * permissions), with the ids they hand out and the snapshot the state file saves.
 */
export class EmulatorStore {
  private nextId = 1;
  readonly users = new Map<string, User>();
  readonly projects = new Map<string, Project>();
  /** Insertion-ordered, so listings are stable and cheap. */
  readonly repositories = new Map<string, Repository>();
  readonly webhooks = new Map<number, Webhook>();
  readonly webhooksByScope = new Map<string, Webhook[]>();
  readonly tokens = new Map<string, AccessToken>();
  readonly tokensByHash = new Map<string, AccessToken>();
  readonly pullRequests = new Map<string, PullRequest>();
  readonly invocationsByWebhook = new Map<number, Invocation[]>();
  readonly commits = new Map<string, Commit>();
  /** Content by blob id, shared by every commit and repository that has it. */
  readonly blobs = new Map<string, Buffer>();
  readonly buildStatuses = new Map<string, BuildStatus>();
  /** Called after every change, so a state file can be saved. */
  onChange: () => void = () => undefined;

  constructor() {
    this.ensureAdmin();
  }

  /** A new id; Bitbucket's ids are unique across kinds, so one counter serves them all. */
  id(): number {
    return this.nextId++;
  }

  changed(): void {
    this.onChange();
  }

  /** Removes the webhooks of a scope that is going away (a deleted project or repository) and their invocations. */
  removeWebhooksOfScope(scope: WebhookScope): void {
    const key = scopeKey(scope);
    for (const webhook of this.webhooksByScope.get(key) ?? []) {
      this.webhooks.delete(webhook.id);
      this.invocationsByWebhook.delete(webhook.id);
    }
    this.webhooksByScope.delete(key);
  }

  snapshot(): EmulatorState {
    return {
      version: 1,
      nextId: this.nextId,
      users: [...this.users.values()],
      projects: [...this.projects.values()],
      repositories: [...this.repositories.values()],
      webhooks: [...this.webhooks.values()],
      tokens: [...this.tokens.values()],
      pullRequests: [...this.pullRequests.values()],
      invocations: [...this.invocationsByWebhook.values()].flat(),
      commits: [...this.commits.values()],
      blobs: [...this.blobs].map(([id, content]) => ({ id, content: content.toString('base64') })),
      buildStatuses: [...this.buildStatuses.values()],
    };
  }

  /** Replaces the state with a snapshot (a saved state file); the admin user always exists. */
  restore(state: EmulatorState): void {
    for (const map of [this.users, this.projects, this.repositories, this.webhooks, this.webhooksByScope, this.tokens, this.tokensByHash, this.pullRequests, this.invocationsByWebhook, this.commits, this.blobs, this.buildStatuses]) {
      map.clear();
    }
    this.nextId = state.nextId;
    for (const user of state.users) this.users.set(user.slug, user);
    this.ensureAdmin();
    for (const project of state.projects) this.projects.set(project.key, project);
    for (const repository of state.repositories) this.repositories.set(repositoryKey(repository.projectKey, repository.slug), repository);
    for (const webhook of state.webhooks) {
      this.webhooks.set(webhook.id, webhook);
      const key = scopeKey(webhook.scope);
      this.webhooksByScope.set(key, [...(this.webhooksByScope.get(key) ?? []), webhook]);
    }
    for (const token of state.tokens) {
      this.tokens.set(token.id, token);
      this.tokensByHash.set(token.tokenHash, token);
    }
    for (const pullRequest of state.pullRequests) {
      // State files saved before comments had versions and pull requests had activities.
      pullRequest.comments = pullRequest.comments.map((comment) => ({
        ...comment,
        updatedDate: comment.updatedDate ?? comment.createdDate,
        version: comment.version ?? 0,
        parentId: comment.parentId ?? null,
      }));
      pullRequest.activities ??= [];
      this.pullRequests.set(pullRequestKey(pullRequest.projectKey, pullRequest.repositorySlug, pullRequest.id), pullRequest);
    }
    for (const commit of state.commits ?? []) this.commits.set(commitKey(commit.projectKey, commit.repositorySlug, commit.id), commit);
    for (const blob of state.blobs ?? []) this.blobs.set(blob.id, Buffer.from(blob.content, 'base64'));
    for (const status of state.buildStatuses ?? []) this.buildStatuses.set(buildStatusKey(status), status);
    for (const invocation of state.invocations) {
      const list = this.invocationsByWebhook.get(invocation.webhookId) ?? [];
      list.push(invocation);
      this.invocationsByWebhook.set(invocation.webhookId, list);
    }
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
}
