/**
 * `liftgate drift`: every stack the control plane knows, checked against the Bitbucket its integration
 * points at. Reads stacks and integrations (with their webhook secrets) from the control plane, lists the
 * webhooks that fire for each repository once per Bitbucket host, compares them (compare.ts) and reads each
 * integration's recent delivery log for signature failures.
 */
import {
  BitbucketClient,
  BitbucketError,
  type BitbucketRequestEvent,
  type BitbucketWebhook,
} from '../../clients/bitbucket';
import {
  LiftgateApiError,
  type Integration,
  type IntegrationSummary,
  type LiftgateClient,
  type Stack,
} from '../../clients/liftgate';
import { HANDLED_EVENTS } from '../../domain/webhook-events';
import {
  compareWebhooks,
  DRIFT_KINDS,
  repositoryKey,
  signatureFailures,
  type DriftKind,
  type ExpectedWebhook,
  type LoggedDelivery,
  type WebhookReference,
} from './compare';
import { AdaptiveConcurrency } from './throttle';
import type { BitbucketTokens } from './tokens';
import { ApiConnectionError, ApiForbiddenError, ApiNotFoundError, ApiServerError } from '../../clients/errors';

export interface StackReference {
  id: string;
  name: string;
  spaceId: string;
}

export interface IntegrationReference {
  id: string;
  name: string;
  apiHost: string;
}

export interface RepositoryReference {
  projectKey: string;
  repositorySlug: string;
}

export interface DriftFinding {
  kind: DriftKind;
  /** null: about the integration as a whole (signature failures the log cannot tie to one of its stacks). */
  stack: StackReference | null;
  integration: IntegrationReference;
  repository: RepositoryReference | null;
  webhook: WebhookReference | null;
  detail: string;
}

/** A stack drift did not check, and why; not drift. */
export interface SkippedStack {
  stack: StackReference;
  integration: IntegrationReference | null;
  repository: RepositoryReference;
  reason: string;
}

/** A check that could not be completed; the report is then incomplete. */
export interface CheckFailure {
  stack: StackReference | null;
  integration: IntegrationReference | null;
  repository: RepositoryReference | null;
  message: string;
}

export type DriftStatus = 'clean' | 'drift' | 'error';

export interface DriftReport {
  /** `error` when any check failed (exit 1), else `drift` when anything was found (exit 2), else `clean` (exit 0). */
  status: DriftStatus;
  checkedAt: string;
  /** Start of the window searched for signature failures. */
  since: string;
  summary: {
    stacks: number;
    repositories: number;
    findings: number;
    skipped: number;
    errors: number;
    bitbucketRequests: number;
    rateLimitedResponses: number;
    durationMs: number;
  };
  findings: DriftFinding[];
  skipped: SkippedStack[];
  errors: CheckFailure[];
}

/**
 * An integration's delivery log, newest first, page by page; read until the window is covered. A log too long to
 * read fails the check rather than leaving out its older part.
 */
export type DeliveryLogReader = (integrationId: string) => AsyncIterable<LoggedDelivery[]>;

export interface DriftOptions {
  liftgate: LiftgateClient;
  readDeliveries: DeliveryLogReader;
  tokens: BitbucketTokens;
  /** Bitbucket requests in flight per host at most (fewer while Bitbucket rate-limits). */
  concurrency: number;
  /** Signature failures received since then are reported. */
  since: Date;
  /** Per Bitbucket request attempt. @default 30000 */
  bitbucketTimeoutMs?: number;
  /** Longest Retry-After waited out. @default 60000 */
  maxRetryAfterMs?: number;
}

/** A configuration problem found before anything was checked (e.g. no token for a host): one line, exit 1. */
export class DriftConfigurationError extends Error {
  override readonly name = 'DriftConfigurationError';
}

const PRIVATE_HOST = /^private:\/\//i;

interface ExpectedByStack {
  stack: Stack;
  integration: Integration;
  expected: ExpectedWebhook;
}

interface HostCheck {
  client: BitbucketClient;
  /** Few retries, for the (anonymous) reachability check. */
  probe: BitbucketClient;
  throttle: AdaptiveConcurrency;
  /** Set when the host cannot be used at all (unreachable); its repositories are not requested. */
  failure: string | null;
}

export async function checkDrift(options: DriftOptions): Promise<DriftReport> {
  const started = performance.now();
  const findings: DriftFinding[] = [];
  const skipped: SkippedStack[] = [];
  const errors: CheckFailure[] = [];
  const counters = { requests: 0, rateLimited: 0 };

  const [stacks, summaries] = await Promise.all([options.liftgate.stacks.list(), options.liftgate.integrations.list()]);
  const summaryById = new Map(summaries.map((summary) => [summary.id, summary]));
  const defaultIntegration = summaries.find((summary) => summary.isDefault);

  // Which integration each stack uses; detached stacks and private hosts are skipped, not checked.
  const stacksByIntegration = new Map<string, Stack[]>();
  for (const stack of stacks) {
    const repository = repositoryOf(stack);
    if (stack.detached) {
      skipped.push({ stack: stackReference(stack), integration: null, repository, reason: 'detached: it receives no webhooks until it is attached to an integration' });
      continue;
    }
    const integrationId = stack.vcs.integrationId ?? defaultIntegration?.id;
    const summary = integrationId === undefined ? undefined : summaryById.get(integrationId);
    if (summary === undefined) {
      errors.push({
        stack: stackReference(stack),
        integration: null,
        repository,
        message:
          integrationId === undefined
            ? 'the stack uses the default integration, but there is none'
            : `integration "${integrationId}" is not visible to this API key`,
      });
      continue;
    }
    if (PRIVATE_HOST.test(summary.apiHost)) {
      skipped.push({
        stack: stackReference(stack),
        integration: integrationReference(summary),
        repository,
        reason: `${summary.apiHost} is reached through a VCS agent pool, not from here`,
      });
      continue;
    }
    const list = stacksByIntegration.get(summary.id) ?? [];
    list.push(stack);
    stacksByIntegration.set(summary.id, list);
  }

  const missingTokens = [...new Set([...stacksByIntegration.keys()].map((id) => (summaryById.get(id) as IntegrationSummary).apiHost))].filter(
    (apiHost) => options.tokens.tokenFor(apiHost) === undefined,
  );
  if (missingTokens.length > 0) {
    throw new DriftConfigurationError(
      `no Bitbucket token for ${missingTokens.join(', ')}: set BITBUCKET_TOKEN or pass --bitbucket-token ${missingTokens[0]}=TOKEN`,
    );
  }

  // Integration details (username, webhook secret) need admin on the integration's space.
  const checked: ExpectedByStack[] = [];
  const integrations: Integration[] = [];
  await Promise.all(
    [...stacksByIntegration.entries()].map(async ([integrationId, usingStacks]) => {
      const summary = summaryById.get(integrationId) as IntegrationSummary;
      let integration: Integration;
      try {
        integration = await options.liftgate.integrations.get(integrationId);
      } catch (error) {
        const message = integrationReadFailure(summary, error);
        for (const stack of usingStacks) {
          errors.push({ stack: stackReference(stack), integration: integrationReference(summary), repository: repositoryOf(stack), message });
        }
        return;
      }
      integrations.push(integration);
      const expected: ExpectedWebhook = {
        integrationId: integration.id,
        url: integration.webhookUrl,
        secret: integration.webhookSecret,
        events: HANDLED_EVENTS,
        conventionalName: `Liftgate ${integration.name}`,
      };
      for (const stack of usingStacks) checked.push({ stack, integration, expected });
    }),
  );

  // One Bitbucket client per host, shared by every integration on it; one listing per repository.
  const hosts = new Map<string, HostCheck>();
  const repositories = new Map<string, { apiHost: string; repository: RepositoryReference; users: ExpectedByStack[] }>();
  for (const entry of checked) {
    const apiHost = entry.integration.apiHost;
    if (!hosts.has(apiHost)) hosts.set(apiHost, openHost(apiHost, options, counters));
    const repository = repositoryOf(entry.stack);
    const key = `${apiHost} ${repositoryKey(repository.projectKey, repository.repositorySlug)}`;
    const group = repositories.get(key) ?? { apiHost, repository, users: [] };
    group.users.push(entry);
    repositories.set(key, group);
  }

  try {
    // Application properties are public (no rate-limit token): an unreachable host fails once, not per repository.
    await Promise.all(
      [...hosts.entries()].map(async ([apiHost, host]) => {
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

    const signatureChecks = integrations.map((integration) =>
      recentSignatureFailures(options, integration).then(
        (groups) => findings.push(...signatureFindings(integration, groups, checked)),
        (error: unknown) =>
          errors.push({
            stack: null,
            integration: integrationReference(integration),
            repository: null,
            message: `could not read the delivery log: ${errorMessage(error)}`,
          }),
      ),
    );

    const repositoryChecks = [...repositories.values()].map(async ({ apiHost, repository, users }) => {
      const host = hosts.get(apiHost) as HostCheck;
      const fail = (message: string) => {
        for (const user of users) {
          errors.push({ stack: stackReference(user.stack), integration: integrationReference(user.integration), repository, message });
        }
      };
      if (host.failure !== null) return fail(host.failure);
      let firing: BitbucketWebhook[];
      try {
        firing = await host.throttle.run(() =>
          host.client.repositoryWebhooks.listFiring(repository.projectKey, repository.repositorySlug, { pageSize: 100 }).toArray(),
        );
      } catch (error) {
        if (error instanceof ApiNotFoundError) {
          for (const user of users) {
            findings.push({
              kind: 'missing-repository',
              stack: stackReference(user.stack),
              integration: integrationReference(user.integration),
              repository,
              webhook: null,
              detail: `Bitbucket at ${apiHost} has no repository ${repository.projectKey}/${repository.repositorySlug}${bitbucketSaid(error)}`,
            });
          }
          return;
        }
        if (!(error instanceof BitbucketError)) throw error;
        return fail(`listing the webhooks failed: ${error.message}`);
      }
      for (const user of users) {
        for (const problem of compareWebhooks(user.expected, firing)) {
          findings.push({
            kind: problem.kind,
            stack: stackReference(user.stack),
            integration: integrationReference(user.integration),
            repository,
            webhook: problem.webhook,
            detail: problem.detail,
          });
        }
      }
    });

    await Promise.all([...signatureChecks, ...repositoryChecks]);
  } finally {
    for (const host of hosts.values()) {
      host.client.close();
      host.probe.close();
    }
  }

  findings.sort(compareRows);
  skipped.sort(compareRows);
  errors.sort(compareRows);
  return {
    status: errors.length > 0 ? 'error' : findings.length > 0 ? 'drift' : 'clean',
    checkedAt: new Date().toISOString(),
    since: options.since.toISOString(),
    summary: {
      stacks: stacks.length,
      repositories: repositories.size,
      findings: findings.length,
      skipped: skipped.length,
      errors: errors.length,
      bitbucketRequests: counters.requests,
      rateLimitedResponses: counters.rateLimited,
      durationMs: Math.round(performance.now() - started),
    },
    findings,
    skipped,
    errors,
  };
}

function openHost(apiHost: string, options: DriftOptions, counters: { requests: number; rateLimited: number }): HostCheck {
  const throttle = new AdaptiveConcurrency(options.concurrency);
  const client = new BitbucketClient({
    baseUrl: apiHost,
    token: options.tokens.tokenFor(apiHost),
    concurrency: options.concurrency,
    timeoutMs: options.bitbucketTimeoutMs,
    // Under a rate limit a 429 is expected, not a failure: the client waits them out (within its time budget),
    // and the throttle keeps the number of requests competing for the refilled tokens small. More 5xx retries
    // than the client's default, because one failed GET makes a stack's check inconclusive.
    retry: { maxRetries: 8, maxRetryAfterMs: options.maxRetryAfterMs },
    userAgent: 'liftgate-drift',
    onRequest: (event: BitbucketRequestEvent) => {
      counters.requests += 1;
      if (event.status === 429) {
        counters.rateLimited += 1;
        throttle.rateLimited();
      } else if (event.status !== undefined && event.status < 300) {
        throttle.succeeded();
      }
    },
  });
  // The reachability probe fails fast: an unreachable host is reported, not waited on for half a minute.
  const probe = new BitbucketClient({
    baseUrl: apiHost,
    token: options.tokens.tokenFor(apiHost),
    timeoutMs: options.bitbucketTimeoutMs,
    retry: { maxRetries: 2 },
    userAgent: 'liftgate-drift',
    onRequest: () => {
      counters.requests += 1;
    },
  });
  return { client, probe, throttle, failure: null };
}

async function recentSignatureFailures(options: DriftOptions, integration: Integration) {
  const deliveries: LoggedDelivery[] = [];
  for await (const page of options.readDeliveries(integration.id)) {
    deliveries.push(...page);
    const oldest = page.at(-1);
    if (oldest === undefined || Date.parse(oldest.receivedAt) < options.since.getTime()) break;
  }
  return signatureFailures(deliveries, options.since);
}

/**
 * A failure tied to a repository becomes a finding for each stack of the integration on it; one the log
 * cannot tie to a stack (no repository recorded, or a repository no stack uses) is about the integration.
 */
function signatureFindings(integration: Integration, groups: ReturnType<typeof signatureFailures>, checked: readonly ExpectedByStack[]): DriftFinding[] {
  const findings: DriftFinding[] = [];
  for (const group of groups) {
    const detail = `${group.count} ${group.count === 1 ? 'delivery refused for its' : 'deliveries refused for their'} signature, latest ${group.latestAt}: ${group.latestReason}`;
    const repository = group.repository;
    const stacks =
      repository === null
        ? []
        : checked.filter(
            (entry) =>
              entry.integration.id === integration.id &&
              repositoryKey(entry.stack.vcs.projectKey, entry.stack.vcs.repositorySlug) === repositoryKey(repository.projectKey, repository.repositorySlug),
          );
    const base = { kind: 'signature-failures' as const, integration: integrationReference(integration), repository, webhook: null, detail };
    if (stacks.length === 0) findings.push({ ...base, stack: null });
    for (const entry of stacks) findings.push({ ...base, stack: stackReference(entry.stack) });
  }
  return findings;
}

function integrationReadFailure(summary: IntegrationSummary, error: unknown): string {
  if (error instanceof ApiForbiddenError) {
    const space = summary.isDefault ? 'root' : summary.spaceId;
    return `reading integration "${summary.id}" (its webhook secret) needs admin on space "${space}"`;
  }
  if (error instanceof ApiNotFoundError) return `integration "${summary.id}" no longer exists`;
  if (error instanceof LiftgateApiError) return `reading integration "${summary.id}" failed: ${error.message}`;
  throw error;
}

function errorMessage(error: unknown): string {
  if (error instanceof LiftgateApiError || error instanceof BitbucketError) return error.message;
  throw error;
}

function bitbucketSaid(error: BitbucketError): string {
  return error.messages.length === 0 ? '' : ` (${error.messages[0]})`;
}

function stackReference(stack: Stack): StackReference {
  return { id: stack.id, name: stack.name, spaceId: stack.spaceId };
}

function integrationReference(integration: IntegrationSummary): IntegrationReference {
  return { id: integration.id, name: integration.name, apiHost: integration.apiHost };
}

function repositoryOf(stack: Stack): RepositoryReference {
  return { projectKey: stack.vcs.projectKey, repositorySlug: stack.vcs.repositorySlug };
}

interface Row {
  stack: StackReference | null;
  repository: RepositoryReference | null;
  integration: IntegrationReference | null;
  kind?: DriftKind;
}

/** Rows in a stable order whatever order the checks finished in: stack name, repository, integration, kind. */
function compareRows(a: Row, b: Row): number {
  const key = (row: Row) =>
    [
      row.stack?.name ?? '',
      row.stack?.id ?? '',
      row.repository === null ? '' : repositoryKey(row.repository.projectKey, row.repository.repositorySlug),
      row.integration?.id ?? '',
      row.kind === undefined ? '' : String(DRIFT_KINDS.indexOf(row.kind)).padStart(2, '0'),
    ].join('\u0000');
  const [left, right] = [key(a), key(b)];
  return left < right ? -1 : left > right ? 1 : 0;
}
