/**
 * Pure comparison of what Bitbucket has against what the control plane expects: no I/O, so every kind of
 * drift can be pinned by a unit test and the command stays a thin loop around it.
 */
import type { BitbucketWebhook } from '../../clients/bitbucket';

/** The kinds of drift `liftgate drift` reports (SPEC §5), plus a repository that Bitbucket does not have. */
export const DRIFT_KINDS = [
  'missing-repository',
  'missing-webhook',
  'wrong-url',
  'missing-events',
  'inactive',
  'secret-mismatch',
  'signature-failures',
] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

/** The webhook one integration needs on every repository its stacks use. */
export interface ExpectedWebhook {
  integrationId: string;
  /** `{publicUrl}/webhooks/bitbucket-datacenter/{integrationId}`, as the control plane reports it. */
  url: string;
  secret: string;
  /** The events Liftgate handles (SPEC §1). */
  events: readonly string[];
  /** The name the constructs give the webhook by default (`Liftgate <integration name>`); used to recognise a moved one. */
  conventionalName: string;
}

/** The Bitbucket webhook a finding is about (never its secret). */
export interface WebhookReference {
  id: number;
  name: string;
  url: string;
  /** `repository` or `project` (inherited by every repository of the project). */
  scope: string;
}

export interface WebhookProblem {
  kind: DriftKind;
  detail: string;
  webhook: WebhookReference | null;
}

export function webhookReference(webhook: BitbucketWebhook): WebhookReference {
  return { id: webhook.id, name: webhook.name, url: webhook.url, scope: (webhook.scopeType ?? 'repository').toLowerCase() };
}

/** URLs are compared as URLs (host case, default port, escaping), so cosmetic differences are not drift. */
export function sameUrl(actual: string, expected: string): boolean {
  try {
    return new URL(actual).href === new URL(expected).href;
  } catch {
    return actual === expected;
  }
}

/** The receiver path of an integration, whatever host serves it: a webhook meant for Liftgate with a stale base URL. */
function pointsAtReceiverOf(url: string, integrationId: string): boolean {
  try {
    return new URL(url).pathname.replace(/\/+$/, '') === `/webhooks/bitbucket-datacenter/${encodeURIComponent(integrationId)}`;
  } catch {
    return false;
  }
}

/** Problems of one webhook that delivers to the right URL. */
function problemsOf(webhook: BitbucketWebhook, expected: ExpectedWebhook): WebhookProblem[] {
  const reference = webhookReference(webhook);
  const problems: WebhookProblem[] = [];
  if (!webhook.active) {
    problems.push({ kind: 'inactive', detail: 'the webhook is disabled, so Bitbucket sends nothing', webhook: reference });
  }
  const subscribed = new Set(webhook.events);
  const missing = expected.events.filter((event) => !subscribed.has(event));
  if (missing.length > 0) {
    problems.push({ kind: 'missing-events', detail: `not subscribed to ${missing.join(', ')}`, webhook: reference });
  }
  const secret = webhook.configuration?.secret;
  if (typeof secret !== 'string' || secret === '') {
    problems.push({
      kind: 'secret-mismatch',
      detail: 'the webhook has no secret, so its deliveries are unsigned and Liftgate refuses them (401)',
      webhook: reference,
    });
  } else if (secret !== expected.secret) {
    problems.push({
      kind: 'secret-mismatch',
      detail: "the webhook's secret is not the integration's webhook secret, so Liftgate refuses its deliveries (401)",
      webhook: reference,
    });
  }
  return problems;
}

/**
 * Compares the webhooks that fire for one repository (its own and its project's) with the one webhook an
 * integration needs there. One webhook at the expected URL without problems means the repository is clean,
 * whatever else is configured; otherwise every problem of the closest webhook is reported (or, when none delivers
 * to the URL, of each webhook recognisably meant for it), so fixing what the report lists clears the finding.
 */
export function compareWebhooks(expected: ExpectedWebhook, firing: readonly BitbucketWebhook[]): WebhookProblem[] {
  const atUrl = firing.filter((webhook) => sameUrl(webhook.url, expected.url));
  if (atUrl.length === 0) {
    const lookalikes = firing.filter(
      (webhook) =>
        webhook.name === expected.conventionalName ||
        webhook.configuration?.secret === expected.secret ||
        pointsAtReceiverOf(webhook.url, expected.integrationId),
    );
    // Every problem of such a webhook, not only its URL: fixing the URL alone must not reveal more drift on the next run.
    if (lookalikes.length > 0) {
      return lookalikes.flatMap((webhook) => [
        { kind: 'wrong-url' as const, detail: `delivers to ${webhook.url}, expected ${expected.url}`, webhook: webhookReference(webhook) },
        ...problemsOf(webhook, expected),
      ]);
    }
    return [{ kind: 'missing-webhook', detail: `no webhook of the repository or its project delivers to ${expected.url}`, webhook: null }];
  }
  let closest: WebhookProblem[] | undefined;
  for (const webhook of atUrl) {
    const problems = problemsOf(webhook, expected);
    if (problems.length === 0) return [];
    if (closest === undefined || problems.length < closest.length) closest = problems;
  }
  return closest ?? [];
}

/** One entry of an integration's delivery log, as far as drift reads it. */
export interface LoggedDelivery {
  outcome: string;
  statusCode: number;
  reason: string;
  receivedAt: string;
  repository: { projectKey: string; repositorySlug: string } | null;
  /** How many refused deliveries the entry counts (the control plane aggregates floods); 1 when absent. */
  count?: number;
  /** When the last of them arrived; receivedAt when absent. */
  lastReceivedAt?: string;
}

/** Signature failures of one repository (or of unknown repositories, `repository: null`) in the window. */
export interface SignatureFailureGroup {
  repository: { projectKey: string; repositorySlug: string } | null;
  count: number;
  latestAt: string;
  latestReason: string;
}

/**
 * The receiver answers 401 exactly when X-Hub-Signature is missing or does not match the integration's
 * secret; those are the deliveries that show a secret out of step. Groups them by repository (when the log
 * knows it), newest first.
 */
export function signatureFailures(deliveries: readonly LoggedDelivery[], since: Date): SignatureFailureGroup[] {
  const groups = new Map<string, SignatureFailureGroup>();
  for (const delivery of deliveries) {
    if (delivery.outcome !== 'REJECTED' || delivery.statusCode !== 401) continue;
    const latestAt = delivery.lastReceivedAt ?? delivery.receivedAt;
    if (Date.parse(latestAt) < since.getTime()) continue;
    const key = delivery.repository === null ? '' : repositoryKey(delivery.repository.projectKey, delivery.repository.repositorySlug);
    const count = delivery.count ?? 1;
    const group = groups.get(key);
    if (group === undefined) {
      groups.set(key, { repository: delivery.repository, count, latestAt, latestReason: delivery.reason });
    } else {
      group.count += count;
      if (Date.parse(latestAt) > Date.parse(group.latestAt)) {
        group.latestAt = latestAt;
        group.latestReason = delivery.reason;
      }
    }
  }
  return [...groups.values()];
}

/** Bitbucket matches project keys and repository slugs case-insensitively. */
export function repositoryKey(projectKey: string, repositorySlug: string): string {
  return `${projectKey.toUpperCase()}/${repositorySlug.toLowerCase()}`;
}
