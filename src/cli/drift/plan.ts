/**
 * What a drift run checks: which integration serves each stack (the domain's rule), which stacks are skipped (detached,
 * or behind a VCS agent pool), and the webhook each integration needs — read with its secret, which takes admin on the
 * integration's space.
 */
import { ApiForbiddenError, ApiNotFoundError } from '../../clients/errors';
import { LiftgateApiError, type Integration, type IntegrationSummary, type LiftgateClient, type Stack } from '../../clients/liftgate';
import { isPrivateApiHost } from '../../domain/api-hosts';
import { bindingOf, servingIntegration } from '../../domain/integrations';
import { HANDLED_EVENTS } from '../../domain/webhook-events';
import type { ExpectedWebhook } from './compare';
import { integrationReference, repositoryOf, stackReference, type DriftRows } from './rows';
import type { BitbucketTokens } from './tokens';

/** A stack to check, with the integration that serves it and the webhook that integration needs on its repository. */
export interface StackToCheck {
  stack: Stack;
  integration: Integration;
  expected: ExpectedWebhook;
}

/** A configuration problem found before anything was checked (e.g. no token for a host): one line, exit 1. */
export class DriftConfigurationError extends Error {
  override readonly name = 'DriftConfigurationError';
}

/**
 * The stacks of each integration that drift can check from here; detached stacks and private hosts go to `rows` as
 * skipped, stacks whose integration this key cannot see as failed checks.
 */
export function stacksByIntegration(stacks: readonly Stack[], integrations: readonly IntegrationSummary[], rows: DriftRows): Map<IntegrationSummary, Stack[]> {
  const byIntegration = new Map<IntegrationSummary, Stack[]>();
  for (const stack of stacks) {
    const repository = repositoryOf(stack);
    if (stack.detached) {
      rows.skipped.push({ stack: stackReference(stack), integration: null, repository, reason: 'detached: it receives no webhooks until it is attached to an integration' });
      continue;
    }
    const integration = servingIntegration(bindingOf(stack), integrations);
    if (integration === undefined) {
      const message =
        stack.vcs.integrationId === null ? 'the stack uses the default integration, but there is none' : `integration "${stack.vcs.integrationId}" is not visible to this API key`;
      rows.errors.push({ stack: stackReference(stack), integration: null, repository, message });
      continue;
    }
    if (isPrivateApiHost(integration.apiHost)) {
      rows.skipped.push({ stack: stackReference(stack), integration: integrationReference(integration), repository, reason: `${integration.apiHost} is reached through a VCS agent pool, not from here` });
      continue;
    }
    byIntegration.set(integration, [...(byIntegration.get(integration) ?? []), stack]);
  }
  return byIntegration;
}

/** Refuses to start when a Bitbucket host to check has no token. */
export function requireTokens(integrations: Iterable<IntegrationSummary>, tokens: BitbucketTokens): void {
  const missing = [...new Set([...integrations].map((integration) => integration.apiHost))].filter((apiHost) => tokens.tokenFor(apiHost) === undefined);
  if (missing.length > 0) {
    throw new DriftConfigurationError(`no Bitbucket token for ${missing.join(', ')}: set BITBUCKET_TOKEN or pass --bitbucket-token ${missing[0]}=TOKEN`);
  }
}

/**
 * Reads each integration with its webhook secret and pairs its stacks with the webhook it needs; an integration that
 * cannot be read fails the checks of its stacks.
 */
export async function stacksToCheck(
  liftgate: LiftgateClient,
  byIntegration: Map<IntegrationSummary, Stack[]>,
  rows: DriftRows,
): Promise<{ checked: StackToCheck[]; integrations: Integration[] }> {
  const checked: StackToCheck[] = [];
  const integrations: Integration[] = [];
  await Promise.all(
    [...byIntegration].map(async ([summary, stacks]) => {
      let integration: Integration;
      try {
        integration = await liftgate.integrations.get(summary.id);
      } catch (error) {
        return rows.failEach(stacks, summary, integrationReadFailure(summary, error));
      }
      integrations.push(integration);
      const expected: ExpectedWebhook = {
        integrationId: integration.id,
        url: integration.webhookUrl,
        secret: integration.webhookSecret,
        events: HANDLED_EVENTS,
        conventionalName: `Liftgate ${integration.name}`,
      };
      for (const stack of stacks) checked.push({ stack, integration, expected });
    }),
  );
  return { checked, integrations };
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
