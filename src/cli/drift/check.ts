/**
 * `liftgate drift`: every stack the control plane knows, checked against the Bitbucket its integration
 * points at. Reads stacks and integrations (with their webhook secrets) from the control plane (plan.ts), lists the
 * webhooks that fire for each repository once per Bitbucket host and compares them (repositories.ts, compare.ts),
 * and reads each integration's recent delivery log for signature failures (signatures.ts).
 */
import { BitbucketError } from '../../clients/bitbucket';
import { LiftgateApiError, type LiftgateClient } from '../../clients/liftgate';
import { requireTokens, stacksByIntegration, stacksToCheck } from './plan';
import { BitbucketHosts, repositoriesToCheck, type RequestCounters } from './repositories';
import { DriftRows, integrationReference, type DriftReport } from './rows';
import { recentSignatureFailures, signatureFindings, type DeliveryLogReader } from './signatures';
import type { BitbucketTokens } from './tokens';

export { DriftConfigurationError } from './plan';
export type { CheckFailure, DriftFinding, DriftReport, DriftStatus, IntegrationReference, RepositoryReference, SkippedStack, StackReference } from './rows';
export type { DeliveryLogReader } from './signatures';

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

export async function checkDrift(options: DriftOptions): Promise<DriftReport> {
  const started = performance.now();
  const rows = new DriftRows();
  const counters: RequestCounters = { requests: 0, rateLimited: 0 };
  const [stacks, summaries] = await Promise.all([options.liftgate.stacks.list(), options.liftgate.integrations.list()]);
  const byIntegration = stacksByIntegration(stacks, summaries, rows);
  requireTokens(byIntegration.keys(), options.tokens);
  const { checked, integrations } = await stacksToCheck(options.liftgate, byIntegration, rows);
  const repositories = repositoriesToCheck(checked);
  const hosts = new BitbucketHosts(
    { tokens: options.tokens, concurrency: options.concurrency, timeoutMs: options.bitbucketTimeoutMs, maxRetryAfterMs: options.maxRetryAfterMs },
    counters,
  );
  try {
    await hosts.probe(repositories.map((repository) => repository.apiHost));
    const signatureChecks = integrations.map((integration) =>
      recentSignatureFailures(options.readDeliveries, integration, options.since).then(
        (groups) => rows.findings.push(...signatureFindings(integration, groups, checked)),
        (error: unknown) =>
          rows.errors.push({ stack: null, integration: integrationReference(integration), repository: null, message: `could not read the delivery log: ${errorMessage(error)}` }),
      ),
    );
    await Promise.all([...signatureChecks, ...repositories.map((repository) => hosts.check(repository, rows))]);
  } finally {
    hosts.close();
  }
  const { findings, skipped, errors } = rows.sorted();
  return {
    status: errors.length > 0 ? 'error' : findings.length > 0 ? 'drift' : 'clean',
    checkedAt: new Date().toISOString(),
    since: options.since.toISOString(),
    summary: {
      stacks: stacks.length,
      repositories: repositories.length,
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

function errorMessage(error: unknown): string {
  if (error instanceof LiftgateApiError || error instanceof BitbucketError) return error.message;
  throw error;
}
