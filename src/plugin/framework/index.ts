/** The provider framework: everything a provider author uses to define resources and data sources. */
export * from './definitions';
export * from './diagnostics';
export * from './plan-modifiers';
export {
  boolAttribute,
  listAttribute,
  mapAttribute,
  numberAttribute,
  setAttribute,
  stringAttribute,
  type AnyAttribute,
  type Attribute,
  type AttributeOptions,
  type AttributePlanRequest,
  type AttributePlanResponse,
  type Attributes,
  type ModelOf,
  type PlanModifier,
  type Planned,
  type PlannedModelOf,
  type ElementKind,
  type ElementValue,
  type PrimitiveKind,
  type PrimitiveValue,
  type Schema,
  type ValidationContext,
  type Validator,
} from './schema';
export * from './validators';
export { isWhollyKnown, valuesEqual } from './values';
export { isUnknown, unknown, UnknownValue, type CtyType, type CtyValue } from '../cty/types';
// For provider unit tests: drive a provider definition the way Terraform's RPCs do, on plain values.
export { ProviderServer, type PlanResult, type StateResult } from './provider-server';
export { type ObjectValue } from './planning';
export { splitImportId, type ImportIdParts } from './import-id';
