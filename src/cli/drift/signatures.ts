/**
 * The control-plane half of a drift run: each integration's recent delivery log, searched for deliveries refused for
 * their signature (a webhook whose secret is out of step).
 */
import type { Integration } from '../../clients/liftgate';
import { repositoryKey } from '../../domain/bitbucket-names';
import { signatureFailures, type LoggedDelivery, type SignatureFailureGroup } from './compare';
import type { StackToCheck } from './plan';
import { integrationReference, stackReference, type DriftFinding } from './rows';

/**
 * An integration's delivery log, newest first, page by page; read until the window is covered. A log too long to
 * read fails the check rather than leaving out its older part.
 */
export type DeliveryLogReader = (integrationId: string) => AsyncIterable<LoggedDelivery[]>;

/** The signature failures in `integration`'s log since `since`, grouped by repository. */
export async function recentSignatureFailures(readDeliveries: DeliveryLogReader, integration: Integration, since: Date): Promise<SignatureFailureGroup[]> {
  const deliveries: LoggedDelivery[] = [];
  for await (const page of readDeliveries(integration.id)) {
    deliveries.push(...page);
    const oldest = page.at(-1);
    if (oldest === undefined || Date.parse(oldest.receivedAt) < since.getTime()) break;
  }
  return signatureFailures(deliveries, since);
}

/**
 * A failure tied to a repository becomes a finding for each stack of the integration on it; one the log
 * cannot tie to a stack (no repository recorded, or a repository no stack uses) is about the integration.
 */
export function signatureFindings(integration: Integration, groups: readonly SignatureFailureGroup[], checked: readonly StackToCheck[]): DriftFinding[] {
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
