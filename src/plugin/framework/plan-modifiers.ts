/**
 * Ready-made plan modifiers for the cases the framework's default rules do not cover. The defaults
 * (see planning.ts) are: a computed value is unknown when the object is created and keeps its prior
 * value afterwards, which is what terraform-plugin-framework's UseStateForUnknown opts into; here the
 * opposite is the opt-in.
 */
import { unknown } from '../cty/types';
import { type PlanModifier, type Planned } from './schema';

/**
 * For a computed value the remote system recalculates on every change (a revision counter, an
 * "updated at" time): plan it unknown whenever the resource is updated, so that the new value applied
 * is not reported as inconsistent with a plan that promised the old one.
 */
export function recomputeOnUpdate<T>(): PlanModifier<T> {
  return {
    description: 'Recalculated by the remote system whenever the object changes.',
    modifyPlan: ({ config, prior, resourceChanging }) =>
      prior !== undefined && resourceChanging && config === null ? { plan: unknown } : {},
  };
}

/**
 * Replacement decided by a rule rather than by any change, e.g. "only when the value shrinks". The
 * predicate sees the stored and the planned value; `description` says when replacement happens.
 */
export function requiresReplaceIf<T>(
  description: string,
  predicate: (prior: T | null, planned: Planned<T>) => boolean,
): PlanModifier<T> {
  return {
    description,
    modifyPlan: ({ prior, plan }) => (prior !== undefined && predicate(prior, plan) ? { requiresReplace: true } : {}),
  };
}
