/**
 * The schema DSL: attributes with their Terraform flags, descriptions, validators, defaults and plan
 * modifiers. The TypeScript type of each attribute's value travels with it, so `ModelOf<typeof attributes>`
 * gives resource code typed state.
 */
import { type CtyType, type UnknownValue } from '../cty/types';
import { type AttributePath, type Diagnostic } from './diagnostics';

export type PrimitiveKind = 'string' | 'number' | 'bool';
export type PrimitiveValue<K extends PrimitiveKind> = K extends 'string' ? string : K extends 'number' ? number : boolean;

/** What a validator knows besides the value: where it is, its type, and whether it may be echoed in a message. */
export interface ValidationContext {
  readonly path: AttributePath;
  /** The cty type of the value validated (an element's type for element validators). */
  readonly type: CtyType;
  readonly sensitive: boolean;
}

/**
 * Checks one attribute value. The framework calls it only for known, non-null values (Terraform
 * validates configuration that may still contain unknowns); it returns every problem it finds.
 */
export interface Validator<T> {
  /** What a valid value looks like, e.g. "between 1 and 255 characters"; shown in documentation. */
  readonly description: string;
  validate(value: T, context: ValidationContext): Diagnostic[];
}

/** A value as it appears in configuration or a plan: possibly not known until apply. */
export type Planned<T> = T | null | UnknownValue;

export interface AttributePlanRequest<T> {
  readonly path: AttributePath;
  /** The configured value (null when not set). */
  readonly config: Planned<T>;
  /** The value in state; undefined when the resource is being created. */
  readonly prior: T | null | undefined;
  /** The value planned so far by the framework and earlier modifiers. */
  readonly plan: Planned<T>;
  /** Whether any attribute of the resource is planned to change (false on create). */
  readonly resourceChanging: boolean;
}

export interface AttributePlanResponse<T> {
  /** The new planned value; omitted to keep the current one. */
  readonly plan?: Planned<T>;
  /** True when this change can only be made by destroying and re-creating the object. */
  readonly requiresReplace?: boolean;
  readonly diagnostics?: Diagnostic[];
}

/** Adjusts the planned value of one attribute after the framework's own planning rules ran. */
export interface PlanModifier<T> {
  readonly description: string;
  modifyPlan(request: AttributePlanRequest<T>): AttributePlanResponse<T>;
}

export interface AttributeOptions<T> {
  /** Shown in documentation and `terraform providers schema`. Required: every attribute is documented. */
  readonly description: string;
  readonly required?: boolean;
  readonly optional?: boolean;
  /** Set by the provider (alone), or by the provider when the configuration leaves it out (with optional). */
  readonly computed?: boolean;
  /** Hidden in plan output and marked sensitive in state. */
  readonly sensitive?: boolean;
  /** Sent to the provider from configuration only: planned null and never stored in state. */
  readonly writeOnly?: boolean;
  /** Set to the reason why a change of this attribute destroys and re-creates the object. */
  readonly requiresReplace?: string;
  /** A message shown when the attribute is used; marks it deprecated. */
  readonly deprecated?: string;
  readonly validators?: readonly Validator<T>[];
  /** The value planned when the configuration leaves the attribute out (makes it optional + computed). */
  readonly default?: T;
  readonly planModifiers?: readonly PlanModifier<T>[];
}

/** A schema attribute, normalised: flags resolved, lists present. */
export interface Attribute<T> {
  readonly type: CtyType;
  readonly description: string;
  readonly required: boolean;
  readonly optional: boolean;
  readonly computed: boolean;
  readonly sensitive: boolean;
  readonly writeOnly: boolean;
  readonly requiresReplace: string | undefined;
  readonly deprecated: string | undefined;
  readonly validators: readonly Validator<T>[];
  readonly default: T | undefined;
  readonly planModifiers: readonly PlanModifier<T>[];
}

// `any`: one record holds attributes of different value types; ModelOf recovers each one's type.
export type AnyAttribute = Attribute<any>;
export type Attributes = Record<string, AnyAttribute>;

export interface Schema<A extends Attributes = Attributes> {
  /** What the resource, data source or provider is; shown in documentation. */
  readonly description: string;
  /** The state schema version stored with each resource instance (resources only). */
  readonly version?: number;
  readonly attributes: A;
}

type ValueOfAttribute<X> = X extends Attribute<infer T> ? T : never;

/** The known values of an object with these attributes, as in state: every attribute present, maybe null. */
export type ModelOf<A extends Attributes> = { -readonly [K in keyof A]: ValueOfAttribute<A[K]> | null };

/** The values of configuration or of a plan, where any attribute may still be unknown. */
export type PlannedModelOf<A extends Attributes> = { -readonly [K in keyof A]: Planned<ValueOfAttribute<A[K]>> };

function attribute<T>(type: CtyType, options: AttributeOptions<T>): Attribute<T> {
  const hasDefault = options.default !== undefined;
  return {
    type,
    description: options.description,
    required: options.required === true,
    // A default only takes effect when Terraform lets the provider fill in a value: optional + computed.
    optional: options.optional === true || hasDefault,
    computed: options.computed === true || hasDefault,
    sensitive: options.sensitive === true,
    writeOnly: options.writeOnly === true,
    requiresReplace: options.requiresReplace,
    deprecated: options.deprecated,
    validators: options.validators ?? [],
    default: options.default,
    planModifiers: options.planModifiers ?? [],
  };
}

export function stringAttribute(options: AttributeOptions<string>): Attribute<string> {
  return attribute('string', options);
}

export function numberAttribute(options: AttributeOptions<number>): Attribute<number> {
  return attribute('number', options);
}

export function boolAttribute(options: AttributeOptions<boolean>): Attribute<boolean> {
  return attribute('bool', options);
}

/**
 * What a list, set or map holds: a primitive, or an object of primitive attributes (e.g. the
 * repositories a data source returns: `{ object: { slug: 'string', id: 'number' } }`).
 */
export type ElementKind = PrimitiveKind | { readonly object: Readonly<Record<string, PrimitiveKind>> };

/** The TypeScript value of one element; an object element's attributes may be null. */
export type ElementValue<E extends ElementKind> = E extends PrimitiveKind
  ? PrimitiveValue<E>
  : E extends { readonly object: infer O extends Readonly<Record<string, PrimitiveKind>> }
    ? { -readonly [K in keyof O]: PrimitiveValue<O[K]> | null }
    : never;

function elementType(element: ElementKind): CtyType {
  return typeof element === 'string' ? element : ['object', { ...element.object }];
}

/** An ordered list. */
export function listAttribute<const E extends ElementKind>(element: E, options: AttributeOptions<ElementValue<E>[]>): Attribute<ElementValue<E>[]> {
  return attribute(['list', elementType(element)], options);
}

/** An unordered set of distinct elements (compared as a set: order never causes a diff). */
export function setAttribute<const E extends ElementKind>(element: E, options: AttributeOptions<ElementValue<E>[]>): Attribute<ElementValue<E>[]> {
  return attribute(['set', elementType(element)], options);
}

/** A map from strings to elements. */
export function mapAttribute<const E extends ElementKind>(
  element: E,
  options: AttributeOptions<Record<string, ElementValue<E>>>,
): Attribute<Record<string, ElementValue<E>>> {
  return attribute(['map', elementType(element)], options);
}

const objectTypes = new WeakMap<Schema, CtyType>();

/** The cty object type Terraform uses for values of this schema (computed once per schema: every RPC needs it). */
export function objectTypeOf(schema: Schema): CtyType {
  let type = objectTypes.get(schema);
  if (type === undefined) {
    type = ['object', Object.fromEntries(Object.entries(schema.attributes).map(([name, definition]) => [name, definition.type]))];
    objectTypes.set(schema, type);
  }
  return type;
}

const namePattern = /^[a-z0-9_]+$/;

/**
 * The problems Terraform would reject the schema for (or that make the framework misbehave), each as
 * one line naming the attribute. Checked when a provider service is built, so a broken schema fails the
 * provider's own tests rather than a user's `terraform plan`.
 */
export function schemaProblems(schema: Schema, { resource }: { resource: boolean }): string[] {
  const problems: string[] = [];
  if (schema.version !== undefined && (!Number.isInteger(schema.version) || schema.version < 0)) {
    problems.push(`schema version must be a non-negative integer, got ${schema.version}`);
  }
  for (const [name, definition] of Object.entries(schema.attributes)) {
    const problem = (text: string) => problems.push(`attribute "${name}": ${text}`);
    if (!namePattern.test(name)) problem('names may only contain lowercase letters, digits and underscores');
    if (definition.description.trim() === '') problem('a description is required');
    if (!definition.required && !definition.optional && !definition.computed) problem('must be required, optional or computed');
    if (definition.required && (definition.optional || definition.computed)) problem('a required attribute cannot also be optional or computed');
    if (definition.writeOnly) {
      if (!resource) problem('write-only attributes exist only in managed resources');
      if (definition.computed) problem('a write-only attribute cannot be computed (it is never stored) nor have a default');
    }
    if (definition.default !== undefined && definition.required) problem('a required attribute cannot have a default');
    if (definition.requiresReplace !== undefined) {
      if (!resource) problem('requiresReplace only applies to managed resources');
      if (definition.requiresReplace.trim() === '') problem('requiresReplace needs a description of why');
      if (definition.writeOnly) problem('a write-only attribute is never in state, so it cannot force replacement');
    }
    if (definition.computed && !definition.optional && definition.validators.length > 0) {
      problem('validators check configuration, which a computed-only attribute never has');
    }
  }
  return problems;
}
