/**
 * cty types in their JSON encoding (go-cty cty/json.go): how Terraform writes attribute types in schemas and
 * the type half of a dynamic value.
 */
import type { CtyType } from './types';

/** Bad type JSON; Terraform itself panics on invalid schema type JSON, so say exactly what is wrong. */
export class CtyTypeError extends Error {
  override readonly name = 'CtyTypeError';
}

const primitives = new Set(['string', 'number', 'bool', 'dynamic']);

/** Parses and checks type JSON (bytes or text), e.g. `["map",["list","string"]]`. */
export function parseCtyType(json: Uint8Array | string): CtyType {
  const text = typeof json === 'string' ? json : Buffer.from(json.buffer, json.byteOffset, json.byteLength).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CtyTypeError(`type is not valid JSON (${(error as Error).message}): ${text.slice(0, 200)}`);
  }
  return checkCtyType(parsed, '');
}

/** Checks that a parsed JSON value is a cty type and returns it typed; `where` prefixes error messages. */
export function checkCtyType(value: unknown, where: string): CtyType {
  const inside = (part: string) => (where ? `${where}: ${part}` : part);
  const fail = (problem: string): never => {
    throw new CtyTypeError(`${where ? `${where}: ` : ''}${problem}: ${JSON.stringify(value)?.slice(0, 200)}`);
  };
  if (typeof value === 'string') {
    if (!primitives.has(value)) fail('unknown type name');
    return value as CtyType;
  }
  if (!Array.isArray(value) || value.length < 2) return fail('a type is a name or a [kind, ...] array');
  const [kind, argument] = value as [unknown, unknown];
  switch (kind) {
    case 'list':
    case 'set':
    case 'map':
      if (value.length !== 2) fail(`a ${kind} type has exactly one element type`);
      return [kind, checkCtyType(argument, inside(`${kind} element`))];
    case 'tuple':
      if (value.length !== 2 || !Array.isArray(argument)) fail('a tuple type is ["tuple", [element types]]');
      return ['tuple', (argument as unknown[]).map((element, index) => checkCtyType(element, inside(`tuple element ${index}`)))];
    case 'object': {
      if (value.length > 3 || typeof argument !== 'object' || argument === null || Array.isArray(argument)) {
        fail('an object type is ["object", {attribute: type}] with an optional list of optional attributes');
      }
      const attributes: Record<string, CtyType> = {};
      for (const [name, type] of Object.entries(argument as Record<string, unknown>)) {
        attributes[name] = checkCtyType(type, inside(`attribute "${name}"`));
      }
      if (value.length === 2) return ['object', attributes];
      const optional = value[2] as unknown;
      if (!Array.isArray(optional) || optional.some((name) => typeof name !== 'string' || !(name in attributes))) {
        fail('the optional attributes of an object type must be a list of its attribute names');
      }
      return ['object', attributes, optional as string[]];
    }
    default:
      return fail('unknown type kind');
  }
}

/**
 * The canonical JSON of a type, as cty writes it: object attributes in name order, no optional-attribute
 * list (that belongs to type constraints, never to a value's type).
 */
export function ctyTypeJson(type: CtyType): string {
  return JSON.stringify(canonical(type));
}

function canonical(type: CtyType): unknown {
  if (typeof type === 'string') return type;
  switch (type[0]) {
    case 'list':
    case 'set':
    case 'map':
      return [type[0], canonical(type[1])];
    case 'tuple':
      return ['tuple', type[1].map(canonical)];
    case 'object': {
      const attributes: Record<string, unknown> = {};
      for (const name of Object.keys(type[1]).sort()) attributes[name] = canonical(type[1][name]);
      return ['object', attributes];
    }
  }
}

/** Short type names for error messages, like cty's FriendlyName. */
export function describeCtyType(type: CtyType): string {
  if (typeof type === 'string') return type;
  switch (type[0]) {
    case 'list':
    case 'set':
    case 'map':
      return `${type[0]} of ${describeCtyType(type[1])}`;
    case 'tuple':
      return `tuple of ${type[1].length} elements`;
    case 'object':
      return 'object';
  }
}
