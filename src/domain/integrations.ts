/**
 * Which stacks an integration serves, and the changes that would take an integration away from stacks that use it
 * (SPEC §1). The store renders the same predicate as SQL (store/serving.ts), tested against this one.
 */
import type { Integration, Stack } from './model';
import { stackMayUseIntegration, type SpaceTree } from './spaces';

/** An integration, as far as deciding which stacks it serves. */
export type ServingIntegration = Pick<Integration, 'id' | 'isDefault'>;

/** A stack's tie to an integration: the one it names (null: the account's default), and whether it was cut. */
export interface IntegrationBinding {
  integrationId: string | null;
  detached: boolean;
}

/** The binding of a stack as the API shows it. */
export function bindingOf(stack: Pick<Stack, 'vcs' | 'detached'>): IntegrationBinding {
  return { integrationId: stack.vcs.integrationId, detached: stack.detached };
}

/**
 * Whether `integration` serves a stack: delivers its webhooks and would run it. A stack naming an integration is
 * served by that one, a stack naming none by the default integration, and a detached stack by none.
 */
export function integrationServes(integration: ServingIntegration, binding: IntegrationBinding): boolean {
  if (binding.detached) return false;
  return binding.integrationId === null ? integration.isDefault : binding.integrationId === integration.id;
}

/** The integration among `integrations` that serves the stack, if one does. */
export function servingIntegration<I extends ServingIntegration>(binding: IntegrationBinding, integrations: readonly I[]): I | undefined {
  return integrations.find((integration) => integrationServes(integration, binding));
}

/** A stack as far as whether it may keep its integration: where it lives, and what it is bound to. */
export type PlacedStack = Pick<Stack, 'spaceId' | 'vcs' | 'detached'>;

/**
 * Moving a space-level integration to `toSpaceId`: the stacks it serves that could not use it there (the move must
 * not take it away from them).
 */
export function strandedByMove<S extends PlacedStack>(tree: SpaceTree, integration: ServingIntegration, toSpaceId: string, stacks: readonly S[]): S[] {
  return stacks.filter(
    (stack) => integrationServes(integration, bindingOf(stack)) && !stackMayUseIntegration(tree, stack.spaceId, { isDefault: false, spaceId: toSpaceId }),
  );
}

/**
 * Turning off `inheritEntities` of space `spaceId`: the stacks in it or below that name an integration they could then
 * no longer use (reached only through that inheritance).
 */
export function strandedByEndingInheritance<S extends PlacedStack>(
  tree: SpaceTree,
  spaceId: string,
  stacks: readonly S[],
  integrations: readonly Pick<Integration, 'id' | 'isDefault' | 'spaceId'>[],
): S[] {
  const node = tree.get(spaceId);
  if (node === undefined) return [];
  const after = tree.withSpace({ ...node, inheritEntities: false });
  const affected = new Set([spaceId, ...tree.descendants(spaceId)]);
  return stacks.filter((stack) => {
    if (!affected.has(stack.spaceId) || stack.detached || stack.vcs.integrationId === null) return false;
    const integration = integrations.find((candidate) => candidate.id === stack.vcs.integrationId);
    return integration !== undefined && !stackMayUseIntegration(after, stack.spaceId, integration);
  });
}
