/**
 * The cty value model shared by the msgpack codec and the provider framework.
 *
 * Types use cty's own JSON type encoding, exactly as Terraform sends them in schemas and inside dynamic
 * values: `"string"`, `["list","string"]`, `["object",{"a":"number"},["a"]]` (third element: optional
 * attributes), `["tuple",["string","bool"]]`, `"dynamic"`.
 */
export type CtyPrimitiveType = 'string' | 'number' | 'bool';
export type CtyType =
  | CtyPrimitiveType
  | 'dynamic'
  | ['list', CtyType]
  | ['set', CtyType]
  | ['map', CtyType]
  | ['object', Record<string, CtyType>]
  | ['object', Record<string, CtyType>, string[]]
  | ['tuple', CtyType[]];

/** What Terraform's refined unknowns (msgpack extension type 12) may say about the eventual value. */
export interface UnknownRefinements {
  /** `false`: the value will not be null. */
  readonly nullable?: boolean;
  /** The eventual string starts with this prefix. */
  readonly stringPrefix?: string;
  readonly numberLowerBound?: { readonly value: number; readonly inclusive: boolean };
  readonly numberUpperBound?: { readonly value: number; readonly inclusive: boolean };
  readonly lengthLowerBound?: number;
  readonly lengthUpperBound?: number;
}

/** A value not known until apply. Any msgpack extension type decodes to one of these. */
export class UnknownValue {
  constructor(readonly refinements: UnknownRefinements = {}) {}
}

/** The single wholly-unknown value without refinements. */
export const unknown = new UnknownValue();

export function isUnknown(value: unknown): value is UnknownValue {
  return value instanceof UnknownValue;
}

/** A value of type `"dynamic"` whose concrete type travels with it on the wire. */
export interface DynamicCtyValue {
  readonly dynamicType: CtyType;
  readonly value: CtyValue;
}

/**
 * A decoded value. `null` is cty's null. Lists, sets and tuples are arrays (set order carries no meaning);
 * maps and objects are plain records; numbers are JS numbers.
 */
export type CtyValue =
  | null
  | UnknownValue
  | string
  | number
  | boolean
  | CtyValue[]
  | { [key: string]: CtyValue }
  | DynamicCtyValue;
