import {
  ADMIN_USERNAME,
  type AccessToken,
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
    };
  }

  /** Replaces the state with a snapshot (a saved state file); the admin user always exists. */
  restore(state: EmulatorState): void {
    for (const map of [this.users, this.projects, this.repositories, this.webhooks, this.webhooksByScope, this.tokens, this.tokensByHash, this.pullRequests, this.invocationsByWebhook]) {
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
      this.pullRequests.set(pullRequestKey(pullRequest.projectKey, pullRequest.repositorySlug, pullRequest.id), pullRequest);
    }
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
