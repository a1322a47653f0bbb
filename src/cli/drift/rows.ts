/** What a drift report is made of: its rows (findings, skipped stacks, failed checks), how they name things, and their order. */
import type { IntegrationSummary, Stack } from '../../clients/liftgate';
import { repositoryKey } from '../../domain/bitbucket-names';
import { DRIFT_KINDS, type DriftKind, type WebhookReference } from './compare';

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

/** The rows a drift run collects while its checks run in parallel. */
export class DriftRows {
  readonly findings: DriftFinding[] = [];
  readonly skipped: SkippedStack[] = [];
  readonly errors: CheckFailure[] = [];

  /** The same failure for each of `stacks` (a host or an integration that could not be read). */
  failEach(stacks: readonly Stack[], integration: IntegrationSummary | null, message: string): void {
    for (const stack of stacks) {
      this.errors.push({ stack: stackReference(stack), integration: integration === null ? null : integrationReference(integration), repository: repositoryOf(stack), message });
    }
  }

  /** Sorts every list so the report is the same whatever order the checks finished in. */
  sorted(): this {
    this.findings.sort(compareRows);
    this.skipped.sort(compareRows);
    this.errors.sort(compareRows);
    return this;
  }
}

export function stackReference(stack: Stack): StackReference {
  return { id: stack.id, name: stack.name, spaceId: stack.spaceId };
}

export function integrationReference(integration: IntegrationSummary): IntegrationReference {
  return { id: integration.id, name: integration.name, apiHost: integration.apiHost };
}

export function repositoryOf(stack: Stack): RepositoryReference {
  return { projectKey: stack.vcs.projectKey, repositorySlug: stack.vcs.repositorySlug };
}

interface Row {
  stack: StackReference | null;
  repository: RepositoryReference | null;
  integration: IntegrationReference | null;
  kind?: DriftKind;
}

/** Rows in a stable order: stack name, stack id, repository, integration, kind. */
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
