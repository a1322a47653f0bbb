/**
 * The Bitbucket half of a drift run: one client per Bitbucket host (shared by every integration on it, throttled while
 * Bitbucket rate-limits), one reachability probe per host, and one listing of the webhooks that fire for each
 * repository, compared with what each integration on it needs.
 */
import { BitbucketClient, BitbucketError, type BitbucketRequestEvent, type BitbucketWebhook } from '../../clients/bitbucket';
import { ApiConnectionError, ApiNotFoundError, ApiServerError } from '../../clients/errors';
import { repositoryKey } from '../../domain/bitbucket-names';
import { compareWebhooks } from './compare';
import type { StackToCheck } from './plan';
import { integrationReference, repositoryOf, stackReference, type DriftRows, type RepositoryReference } from './rows';
import { AdaptiveConcurrency } from './throttle';
import type { BitbucketTokens } from './tokens';

export interface BitbucketSettings {
  tokens: BitbucketTokens;
  /** Requests in flight per host at most (fewer while Bitbucket rate-limits). */
  concurrency: number;
  /** Per request attempt. */
  timeoutMs?: number;
  /** Longest Retry-After waited out. */
  maxRetryAfterMs?: number;
}

/** Requests made, and how many of them Bitbucket answered 429. */
export interface RequestCounters {
  requests: number;
  rateLimited: number;
}

interface Host {
  client: BitbucketClient;
  /** Few retries, for the (anonymous) reachability check. */
  probe: BitbucketClient;
  throttle: AdaptiveConcurrency;
  /** Set when the host cannot be used at all (unreachable); its repositories are not requested. */
  failure: string | null;
}

/** The repositories to list, each with the stacks (and so the integrations) that use it. */
export interface RepositoryToCheck {
  apiHost: string;
  repository: RepositoryReference;
  users: StackToCheck[];
}

/** Groups the stacks by Bitbucket host and repository: each repository is listed once, whatever uses it. */
export function repositoriesToCheck(checked: readonly StackToCheck[]): RepositoryToCheck[] {
  const repositories = new Map<string, RepositoryToCheck>();
  for (const entry of checked) {
    const apiHost = entry.integration.apiHost;
    const repository = repositoryOf(entry.stack);
    const key = `${apiHost} ${repositoryKey(repository.projectKey, repository.repositorySlug)}`;
    const group = repositories.get(key) ?? { apiHost, repository, users: [] };
    group.users.push(entry);
    repositories.set(key, group);
  }
  return [...repositories.values()];
}

/** The Bitbucket hosts of one drift run. */
export class BitbucketHosts {
  private readonly hosts = new Map<string, Host>();

  constructor(
    private readonly settings: BitbucketSettings,
    private readonly counters: RequestCounters,
  ) {}

  /**
   * Asks each host for its application properties, which are public (no rate-limit token): an unreachable host fails
   * once, not once per repository.
   */
  async probe(apiHosts: Iterable<string>): Promise<void> {
    await Promise.all(
      [...new Set(apiHosts)].map(async (apiHost) => {
        const host = this.host(apiHost);
        try {
          await host.probe.getApplicationProperties();
        } catch (error) {
          if (!(error instanceof BitbucketError)) throw error;
          host.failure =
            error instanceof ApiConnectionError || error instanceof ApiServerError
              ? `Bitbucket at ${apiHost} is unreachable: ${error.message}`
              : `${apiHost} did not answer like Bitbucket Data Center: ${error.message}`;
        }
      }),
    );
  }

  /** Lists the webhooks that fire for a repository and records what each integration on it is missing. */
  async check({ apiHost, repository, users }: RepositoryToCheck, rows: DriftRows): Promise<void> {
    const host = this.host(apiHost);
    if (host.failure !== null) return this.failEach(rows, users, host.failure);
    let firing: BitbucketWebhook[];
    try {
      firing = await host.throttle.run(() => host.client.repositoryWebhooks.listFiring(repository.projectKey, repository.repositorySlug, { pageSize: 100 }).toArray());
    } catch (error) {
      if (!(error instanceof BitbucketError)) throw error;
      if (!(error instanceof ApiNotFoundError)) return this.failEach(rows, users, `listing the webhooks failed: ${error.message}`);
      const said = error.messages.length === 0 ? '' : ` (${error.messages[0]})`;
      const detail = `Bitbucket at ${apiHost} has no repository ${repository.projectKey}/${repository.repositorySlug}${said}`;
      for (const user of users) {
        rows.findings.push({ kind: 'missing-repository', stack: stackReference(user.stack), integration: integrationReference(user.integration), repository, webhook: null, detail });
      }
      return;
    }
    for (const user of users) {
      for (const problem of compareWebhooks(user.expected, firing)) {
        rows.findings.push({ kind: problem.kind, stack: stackReference(user.stack), integration: integrationReference(user.integration), repository, webhook: problem.webhook, detail: problem.detail });
      }
    }
  }

  /** Closes every client's sockets. */
  close(): void {
    for (const host of this.hosts.values()) {
      host.client.close();
      host.probe.close();
    }
  }

  private failEach(rows: DriftRows, users: readonly StackToCheck[], message: string): void {
    for (const user of users) rows.failEach([user.stack], user.integration, message);
  }

  private host(apiHost: string): Host {
    let host = this.hosts.get(apiHost);
    if (host === undefined) {
      host = this.open(apiHost);
      this.hosts.set(apiHost, host);
    }
    return host;
  }

  private open(apiHost: string): Host {
    const { tokens, concurrency, timeoutMs, maxRetryAfterMs } = this.settings;
    const throttle = new AdaptiveConcurrency(concurrency);
    const client = new BitbucketClient({
      baseUrl: apiHost,
      token: tokens.tokenFor(apiHost),
      concurrency,
      timeoutMs,
      // Under a rate limit a 429 is expected, not a failure: the client waits them out (within its time budget),
      // and the throttle keeps the number of requests competing for the refilled tokens small. More 5xx retries
      // than the client's default, because one failed GET makes a stack's check inconclusive.
      retry: { maxRetries: 8, maxRetryAfterMs },
      userAgent: 'liftgate-drift',
      onRequest: (event: BitbucketRequestEvent) => {
        this.counters.requests += 1;
        if (event.status === 429) {
          this.counters.rateLimited += 1;
          throttle.rateLimited();
        } else if (event.status !== undefined && event.status < 300) {
          throttle.succeeded();
        }
      },
    });
    // The reachability probe fails fast: an unreachable host is reported, not waited on for half a minute.
    const probe = new BitbucketClient({
      baseUrl: apiHost,
      token: tokens.tokenFor(apiHost),
      timeoutMs,
      retry: { maxRetries: 2 },
      userAgent: 'liftgate-drift',
      onRequest: () => {
        this.counters.requests += 1;
      },
    });
    return { client, probe, throttle, failure: null };
  }
}
