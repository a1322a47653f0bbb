import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { EmulatorActions, type OpenPullRequestInput, type PullRequestActionInput, type PushInput, type TagInput } from './actions';
import { DEFAULT_DELIVERY_TIMEOUT_MS, WebhookDispatcher } from './delivery';
import { buildEmulatorServer } from './http/server';
import { EmulatorModel, hashToken, type CreateUserInput, type EmulatorState, type TokenOwner, type WebhookScope } from './model';
import type { GlobalPermission, ProjectPermission, RepositoryPermission, TokenPermission } from './permissions';
import { projectJson, repositoryJson, userJson, webhookJson } from './representations';
import { loadState, StateSaver } from './state-file';
import { FaultInjector, RateLimiter, parseFaultSettings, parseRateLimitSettings, type FaultSettings, type RateLimitSettings } from './traffic';

export { BitbucketApiError, type BitbucketErrorBody } from './errors';
export { signatureFor, bitbucketDate, DEFAULT_DELIVERY_TIMEOUT_MS, type DeliveryResult } from './delivery';
export { PULL_REQUEST_ACTIONS, type PullRequestAction } from './actions';
export type { FaultSettings, RateLimitSettings } from './traffic';
export type { GlobalPermission, ProjectPermission, RepositoryPermission, TokenPermission } from './permissions';
export type { EmulatorState } from './model';

export interface EmulatorOptions {
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** TCP port; default 7990 like Bitbucket; 0 picks a free port (see `url`). */
  port?: number;
  /** Where to keep the state between restarts; in memory only when absent. */
  stateFile?: string;
  /** The admin token (user `admin`, every permission); generated when absent. */
  adminToken?: string;
  /** How long a webhook receiver may take to answer; default 10 000 ms as in Bitbucket. */
  deliveryTimeoutMs?: number;
  /** The clock rate-limit buckets refill by (milliseconds since the epoch); default the real one. */
  now?: () => number;
}

/** A user created through the programmatic API, with a token when permissions for one were given. */
export interface SeededUser {
  name: string;
  slug: string;
  id: number;
  /** An HTTP access token of this user (Bearer, or Basic with the username). */
  token: string | null;
}

export interface SeedUserInput {
  name: string;
  password?: string;
  displayName?: string;
  emailAddress?: string;
  globalPermission?: GlobalPermission;
  /** Project key → permission. */
  projectPermissions?: Record<string, ProjectPermission>;
  /** `PROJECTKEY/slug` → permission. */
  repositoryPermissions?: Record<string, RepositoryPermission>;
  /** Creates a token for the user with these permissions (default: the strongest the user holds, capped at PROJECT_ADMIN). */
  tokenPermissions?: TokenPermission[];
  /** false: no token. Default true. */
  withToken?: boolean;
}

export interface RunningEmulator {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:7990. REST lives under `${url}/rest/api/latest`. */
  readonly url: string;
  /** Bearer token of user `admin` (every permission); also the admin password for Basic. */
  readonly adminToken: string;
  /** Stops listening, ends hanging requests and saves the state file. */
  close(): Promise<void>;

  /** Creates a project (key upper-cased) and answers Bitbucket's RestProject JSON. */
  createProject(key: string, options?: { name?: string; description?: string; public?: boolean }): ReturnType<typeof projectJson>;
  /** Creates a repository in a project; the slug is derived from the name unless given. */
  createRepository(
    projectKey: string,
    name: string,
    options?: { slug?: string; description?: string; defaultBranch?: string; public?: boolean },
  ): ReturnType<typeof repositoryJson>;
  /** Creates a user with permissions and (by default) an HTTP access token. */
  createUser(input: SeedUserInput): SeededUser;
  /** Adds or replaces permissions of an existing user. */
  grant(
    userName: string,
    grants: {
      globalPermission?: GlobalPermission | null;
      projectPermissions?: Record<string, ProjectPermission>;
      repositoryPermissions?: Record<string, RepositoryPermission>;
    },
  ): void;
  /** Creates an HTTP access token and answers its secret. */
  createAccessToken(
    owner: { user: string } | { projectKey: string } | { projectKey: string; repositorySlug: string },
    permissions: TokenPermission[],
    options?: { name?: string; expiryDays?: number },
  ): string;
  /** Webhooks defined on a repository (as GET returns them, secret included). */
  repositoryWebhooks(projectKey: string, repositorySlug: string): Array<ReturnType<typeof webhookJson>>;
  /** Webhooks defined on a project. */
  projectWebhooks(projectKey: string): Array<ReturnType<typeof webhookJson>>;
  /** Simulates a push (see POST /_emulator/projects/{key}/repos/{slug}/push). */
  push(projectKey: string, repositorySlug: string, input: PushInput): ReturnType<EmulatorActions['push']>;
  /** Pushes a tag (see POST /_emulator/projects/{key}/repos/{slug}/tags): delivers repo:refs_changed with a TAG ADD change. */
  createTag(projectKey: string, repositorySlug: string, input: TagInput): ReturnType<EmulatorActions['createTag']>;
  /** Deletes a tag: delivers repo:refs_changed with a TAG DELETE change. */
  deleteTag(projectKey: string, repositorySlug: string, name: string): ReturnType<EmulatorActions['deleteTag']>;
  /** Opens a pull request and delivers pr:opened. */
  openPullRequest(projectKey: string, repositorySlug: string, input: OpenPullRequestInput): ReturnType<EmulatorActions['openPullRequest']>;
  /** Simulates update/modify/approve/unapprove/merge/comment on a pull request. */
  pullRequestEvent(
    projectKey: string,
    repositorySlug: string,
    pullRequestId: number,
    action: string,
    input?: PullRequestActionInput,
  ): ReturnType<EmulatorActions['pullRequestAction']>;
  /** Switches fault injection on (`{ rate, status?, hang?, phase? }`) or off (null). */
  setFaults(settings: Partial<FaultSettings> & { rate: number } | null): void;
  /** Switches rate limiting on (`{ capacity, refillPerSecond }`) or off (null). */
  setRateLimit(settings: RateLimitSettings | null): void;
  /** Changes how long receivers may take to answer a delivery. */
  setDeliveryTimeout(milliseconds: number): void;
  /** A copy of the whole state (what the state file holds). */
  snapshot(): EmulatorState;
}

const DEFAULT_PORT = 7990;

function strongestTokenPermissions(input: SeedUserInput): TokenPermission[] {
  if (input.globalPermission === 'ADMIN' || input.globalPermission === 'SYS_ADMIN') return ['PROJECT_ADMIN', 'REPO_ADMIN'];
  const all = [...Object.values(input.projectPermissions ?? {}), ...Object.values(input.repositoryPermissions ?? {})];
  const rank = (permission: string) => (permission.endsWith('ADMIN') ? 3 : permission.endsWith('WRITE') ? 2 : 1);
  const best = Math.max(1, ...all.map(rank));
  const project = (['PROJECT_READ', 'PROJECT_WRITE', 'PROJECT_ADMIN'] as const)[best - 1]!;
  const repository = (['REPO_READ', 'REPO_WRITE', 'REPO_ADMIN'] as const)[best - 1]!;
  return [project, repository];
}

/** Starts a Bitbucket DC emulator over HTTP. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const adminToken = options.adminToken ?? randomBytes(24).toString('base64url');
  if (adminToken.trim() === '' || /\s/.test(adminToken)) throw new Error('the admin token must be a non-empty string without spaces');
  const model = new EmulatorModel(hashToken(adminToken));
  let saver: StateSaver | null = null;
  if (options.stateFile !== undefined) {
    const saved = loadState(options.stateFile);
    if (saved !== null) model.restore(saved);
    saver = new StateSaver(options.stateFile, () => model.snapshot());
    model.onChange = () => saver!.schedule();
    // Writing once now makes an unwritable path fail at start rather than on the first change.
    saver.schedule();
    await saver.flush();
  }

  let baseUrl = '';
  let deliveryTimeoutMs = options.deliveryTimeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
  let rateLimiter: RateLimiter | null = null;
  let faultInjector: FaultInjector | null = null;
  const dispatcher = new WebhookDispatcher(model, () => deliveryTimeoutMs);
  const actions = new EmulatorActions(model, dispatcher, () => baseUrl);
  const setFaults = (settings: FaultSettings | null) => (faultInjector = settings === null ? null : new FaultInjector(settings));
  const setRateLimit = (settings: RateLimitSettings | null) =>
    (rateLimiter = settings === null ? null : new RateLimiter(settings, options.now ?? Date.now));

  const app = buildEmulatorServer({
    model,
    actions,
    baseUrl: () => baseUrl,
    deliveryTimeoutMs: () => deliveryTimeoutMs,
    rateLimiter: () => rateLimiter,
    faultInjector: () => faultInjector,
    setFaults,
    setRateLimit,
  });
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? DEFAULT_PORT });
  const address = app.server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${urlHost}:${address.port}`;

  const scopeOf = (projectKey: string, repositorySlug?: string): WebhookScope => {
    if (repositorySlug === undefined) return { type: 'project', projectKey: model.projects.get(projectKey).key };
    const repository = model.repositories.get(projectKey, repositorySlug);
    return { type: 'repository', projectKey: repository.projectKey, repositorySlug: repository.slug };
  };

  const tokenOwnerOf = (owner: Parameters<RunningEmulator['createAccessToken']>[0]): TokenOwner => {
    if ('user' in owner) return { type: 'user', userSlug: model.users.get(owner.user).slug };
    if ('repositorySlug' in owner) {
      const repository = model.repositories.get(owner.projectKey, owner.repositorySlug);
      return { type: 'repository', projectKey: repository.projectKey, repositorySlug: repository.slug };
    }
    return { type: 'project', projectKey: model.projects.get(owner.projectKey).key };
  };

  let closed = false;
  return {
    url: baseUrl,
    adminToken,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await saver?.flush();
    },
    createProject(key, projectOptions = {}) {
      const project = model.projects.create({
        key,
        name: projectOptions.name ?? key,
        ...(projectOptions.description === undefined ? {} : { description: projectOptions.description }),
        ...(projectOptions.public === undefined ? {} : { public: projectOptions.public }),
      });
      return projectJson(project, baseUrl);
    },
    createRepository(projectKey, name, repositoryOptions = {}) {
      const repository = model.repositories.create(projectKey, { name, ...repositoryOptions });
      return repositoryJson(repository, model.projects.get(repository.projectKey), baseUrl);
    },
    createUser(input) {
      const userInput: CreateUserInput = { name: input.name };
      if (input.password !== undefined) userInput.password = input.password;
      if (input.displayName !== undefined) userInput.displayName = input.displayName;
      if (input.emailAddress !== undefined) userInput.emailAddress = input.emailAddress;
      if (input.globalPermission !== undefined) userInput.globalPermission = input.globalPermission;
      if (input.projectPermissions !== undefined) userInput.projectPermissions = input.projectPermissions;
      if (input.repositoryPermissions !== undefined) userInput.repositoryPermissions = input.repositoryPermissions;
      const user = model.users.create(userInput);
      const token =
        input.withToken === false
          ? null
          : model.tokens.create(
              { type: 'user', userSlug: user.slug },
              { name: `${user.slug}-token`, permissions: input.tokenPermissions ?? strongestTokenPermissions(input), expiryDays: null },
            ).secret;
      const json = userJson(user, baseUrl);
      return { name: json.name, slug: json.slug, id: json.id, token };
    },
    grant(userName, grants) {
      model.users.grant(userName, grants);
    },
    createAccessToken(owner, permissions, tokenOptions = {}) {
      return model.tokens.create(tokenOwnerOf(owner), {
        name: tokenOptions.name ?? 'emulator-token',
        permissions,
        expiryDays: tokenOptions.expiryDays ?? null,
      }).secret;
    },
    repositoryWebhooks(projectKey, repositorySlug) {
      return model.webhooks.of(scopeOf(projectKey, repositorySlug)).map((webhook) => webhookJson(webhook));
    },
    projectWebhooks(projectKey) {
      return model.webhooks.of(scopeOf(projectKey)).map((webhook) => webhookJson(webhook));
    },
    push: (projectKey, repositorySlug, input) => actions.push(projectKey, repositorySlug, input),
    createTag: (projectKey, repositorySlug, input) => actions.createTag(projectKey, repositorySlug, input),
    deleteTag: (projectKey, repositorySlug, name) => actions.deleteTag(projectKey, repositorySlug, name),
    openPullRequest: (projectKey, repositorySlug, input) => actions.openPullRequest(projectKey, repositorySlug, input),
    pullRequestEvent: (projectKey, repositorySlug, pullRequestId, action, input = {}) =>
      actions.pullRequestAction(projectKey, repositorySlug, String(pullRequestId), action, input),
    setFaults(settings) {
      setFaults(settings === null ? null : parseFaultSettings(settings));
    },
    setRateLimit(settings) {
      setRateLimit(settings === null ? null : parseRateLimitSettings(settings));
    },
    setDeliveryTimeout(milliseconds) {
      if (!Number.isFinite(milliseconds) || milliseconds <= 0) throw new Error('the delivery timeout must be a positive number of milliseconds');
      deliveryTimeoutMs = milliseconds;
    },
    snapshot: () => structuredClone(model.snapshot()),
  };
}
