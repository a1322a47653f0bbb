/**
 * Terraform's planning and consistency rules, done once for every resource (reference doc §3–§4):
 * - create: computed attributes the configuration leaves out are unknown (or their default);
 * - update: they keep their prior value, so an unchanged object plans no change (no perpetual diffs);
 * - write-only attributes are planned null and never stored;
 * - a changed `requiresReplace` attribute (compared as a set for sets) is reported for replacement;
 * - every plan is checked against the rules Terraform enforces, and every applied, read or imported
 *   state against the plan and the schema, so a provider mistake is reported as "a provider bug" with
 *   the attribute path instead of Terraform's generic "Provider produced inconsistent result".
 */
import { isUnknown, unknown, type CtyValue } from '../cty/types';
import {
  attributePath,
  providerBugDiagnostic,
  thrownDiagnostic,
  warningDiagnostic,
  type AttributePath,
  type Diagnostic,
} from './diagnostics';
import { type Schema } from './schema';
import { compatibleWithPlanned, describeValue, isWhollyKnown, nonConformance, valuesEqual } from './values';

/** An object value of a schema: every attribute present. */
export type ObjectValue = Record<string, CtyValue>;

/** How a value is shown in a message: sensitive values never are. */
function shown(value: CtyValue, sensitive: boolean): string {
  return sensitive ? '(sensitive value)' : describeValue(value);
}

/**
 * Runs every attribute's validators on the configuration and collects all problems at once. Null and
 * unknown values are skipped: Terraform itself enforces `required`, and unknown values are validated
 * again once known (at apply time, through the final plan's validation).
 */
export function validateAttributes(schema: Schema, config: ObjectValue): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const [name, definition] of Object.entries(schema.attributes)) {
    const value = config[name] ?? null;
    if (value === null || isUnknown(value)) continue;
    const path = attributePath(name);
    if (definition.deprecated !== undefined) {
      diagnostics.push(warningDiagnostic('Deprecated attribute', `Attribute ${name} is deprecated: ${definition.deprecated}`, path));
    }
    for (const validator of definition.validators) {
      try {
        diagnostics.push(...validator.validate(value as never, { path, type: definition.type, sensitive: definition.sensitive }));
      } catch (error) {
        diagnostics.push({ ...thrownDiagnostic(`the validator "${validator.description}" of ${name}`, error), path });
      }
    }
  }
  return diagnostics;
}

export interface PlanInput {
  /** The state before the change; null when creating. */
  readonly prior: ObjectValue | null;
  /** Terraform's proposal: configuration, with computed attributes the configuration leaves out taken from prior. */
  readonly proposed: ObjectValue;
  readonly config: ObjectValue;
}

export interface FrameworkPlan {
  readonly planned: ObjectValue;
  /** Attributes whose plan modifiers asked for replacement (see also replacementPaths). */
  readonly requiresReplace: AttributePath[];
  readonly diagnostics: Diagnostic[];
}

/** The framework's plan for a create or update (a destroy is always planned null). */
export function planChange(schema: Schema, { prior, proposed, config }: PlanInput): FrameworkPlan {
  const planned: ObjectValue = { ...proposed };
  for (const [name, definition] of Object.entries(schema.attributes)) {
    const configured = config[name] ?? null;
    if (definition.writeOnly) planned[name] = null;
    else if (configured === null && definition.default !== undefined) planned[name] = definition.default as CtyValue;
    else if (configured === null && definition.computed && prior === null) planned[name] = unknown;
  }

  const resourceChanging =
    prior !== null &&
    Object.entries(schema.attributes).some(([name, definition]) => !valuesEqual(planned[name] ?? null, prior[name] ?? null, definition.type));

  const requiresReplace: AttributePath[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const [name, definition] of Object.entries(schema.attributes)) {
    const path = attributePath(name);
    let replace = false;
    for (const modifier of definition.planModifiers) {
      const response = modifier.modifyPlan({
        path,
        config: config[name] ?? null,
        prior: prior === null ? undefined : (prior[name] ?? null),
        plan: planned[name] ?? null,
        resourceChanging,
      } as never);
      if (response.plan !== undefined) planned[name] = response.plan as CtyValue;
      if (response.requiresReplace === true) replace = true;
      diagnostics.push(...(response.diagnostics ?? []));
    }
    if (replace && prior !== null) requiresReplace.push(path);
  }
  return { planned, requiresReplace, diagnostics };
}

/**
 * The `requiresReplace` attributes whose planned value differs from the prior one (unknown counts as a
 * change; sets compare as sets). Terraform makes the same comparison for each path we return, so only
 * changed ones are returned to keep its log and our tests meaningful.
 */
export function replacementPaths(schema: Schema, prior: ObjectValue, planned: ObjectValue): AttributePath[] {
  return Object.entries(schema.attributes)
    .filter(([name, definition]) => definition.requiresReplace !== undefined && !valuesEqual(planned[name] ?? null, prior[name] ?? null, definition.type))
    .map(([name]) => attributePath(name));
}

/**
 * Terraform's validity rules for a planned object (its AssertPlanValid), checked before Terraform does so
 * the message names the attribute and says whose mistake it is. Run on every plan, including the final
 * plan Terraform asks for during apply.
 */
export function planProblems(schema: Schema, typeName: string, input: { prior: ObjectValue | null; config: ObjectValue; planned: ObjectValue }): Diagnostic[] {
  const { prior, config, planned } = input;
  const diagnostics: Diagnostic[] = [];
  for (const key of Object.keys(planned)) {
    if (!(key in schema.attributes)) {
      diagnostics.push(providerBugDiagnostic('Provider produced invalid plan', `The plan for ${typeName} has an attribute "${key}" that is not in its schema.`));
    }
  }
  for (const [name, definition] of Object.entries(schema.attributes)) {
    const path = attributePath(name);
    const plannedValue = planned[name] ?? null;
    const configValue = config[name] ?? null;
    const priorValue = prior === null ? null : (prior[name] ?? null);
    const problem = (detail: string) =>
      diagnostics.push(providerBugDiagnostic('Provider produced invalid plan', `The plan for ${typeName}.${name}: ${detail}.`, path));

    const typeProblem = nonConformance(plannedValue, definition.type);
    if (typeProblem !== undefined) {
      problem(`the planned value does not match the attribute's type (${typeProblem})`);
      continue;
    }
    if (definition.writeOnly) {
      if (plannedValue !== null) problem('a write-only attribute must be planned null');
      continue;
    }
    if (valuesEqual(plannedValue, configValue, definition.type)) continue;
    if (prior !== null && valuesEqual(plannedValue, priorValue, definition.type)) continue;
    if (definition.computed && configValue === null) continue;
    problem(
      prior === null
        ? `planned ${shown(plannedValue, definition.sensitive)} does not match the configured ${shown(configValue, definition.sensitive)}`
        : `planned ${shown(plannedValue, definition.sensitive)} matches neither the configured ${shown(configValue, definition.sensitive)} nor the prior ${shown(priorValue, definition.sensitive)}`,
    );
  }
  return diagnostics;
}

/** The value with every write-only attribute null: what may be stored. */
export function withoutWriteOnly(schema: Schema, value: ObjectValue): ObjectValue {
  const copy: ObjectValue = { ...value };
  for (const [name, definition] of Object.entries(schema.attributes)) {
    if (definition.writeOnly) copy[name] = null;
  }
  return copy;
}

/**
 * Problems with an object a provider function returned for Terraform to store (after create, update,
 * read, import, or a data source read): it must have exactly the schema's attributes, conform to their
 * types, and be wholly known.
 */
export function stateProblems(schema: Schema, value: ObjectValue, what: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const key of Object.keys(value)) {
    if (!(key in schema.attributes)) {
      diagnostics.push(providerBugDiagnostic(`Provider returned an invalid object`, `${what} returned an attribute "${key}" that is not in the schema.`));
    }
  }
  for (const [name, definition] of Object.entries(schema.attributes)) {
    const path = attributePath(name);
    if (!(name in value) || value[name] === undefined) {
      diagnostics.push(providerBugDiagnostic('Provider returned an invalid object', `${what} left out attribute ${name} (use null for "no value").`, path));
      continue;
    }
    const attributeValue = value[name] as CtyValue;
    const typeProblem = nonConformance(attributeValue, definition.type);
    if (typeProblem !== undefined) {
      diagnostics.push(providerBugDiagnostic('Provider returned an invalid object', `${what} returned a wrong value for ${name}: ${typeProblem}.`, path));
    } else if (!isWhollyKnown(attributeValue)) {
      diagnostics.push(providerBugDiagnostic('Provider returned an invalid object', `${what} returned an unknown value for ${name}; every value must be known once the operation is done.`, path));
    }
  }
  return diagnostics;
}

/**
 * After create or update: the new state must keep every value the plan promised (Terraform's "Provider
 * produced inconsistent result after apply"). Unknown planned values may become anything.
 */
export function appliedStateProblems(schema: Schema, typeName: string, planned: ObjectValue, applied: ObjectValue): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const [name, definition] of Object.entries(schema.attributes)) {
    if (definition.writeOnly) continue;
    const plannedValue = planned[name] ?? null;
    const appliedValue = applied[name] ?? null;
    if (compatibleWithPlanned(plannedValue, appliedValue, definition.type)) continue;
    diagnostics.push(
      providerBugDiagnostic(
        'Provider produced inconsistent result after apply',
        `${typeName}.${name} was planned as ${shown(plannedValue, definition.sensitive)} but the provider stored ${shown(appliedValue, definition.sensitive)}. A value known at plan time must be applied exactly; a value the remote system chooses must be computed (and unknown in the plan).`,
        attributePath(name),
      ),
    );
  }
  return diagnostics;
}

