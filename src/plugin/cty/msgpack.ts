/**
 * cty values in Terraform's MessagePack wire format (go-cty cty/msgpack, Terraform's object-wire-format.md),
 * driven by the type: every object attribute present (null when unset), unknowns as msgpack extensions
 * (any extension type decodes as unknown; type 12 carries refinements), dynamic values as
 * [type JSON as bin, value], numbers as int, float64 or decimal text exactly as cty does.
 */
import { Decoder, Encoder, ExtData, ExtensionCodec } from '@msgpack/msgpack';
import { numberEncoding, numberFromBigInt, numberFromDecimalText, numberFromDouble } from './numbers';
import { CtyCodecError, type CtyPath } from './path';
import { CtyTypeError, ctyTypeJson, describeCtyType, parseCtyType } from './type-json';
import { UnknownValue, unknown, type CtyType, type CtyValue, type DynamicCtyValue, type UnknownRefinements } from './types';

/** cty's extension type for unknowns with refinements; plain unknowns use type 0 with one zero byte. */
const refinedUnknownExtensionType = 12;
const refinementKey = { nullness: 1, stringPrefix: 2, numberMin: 3, numberMax: 4, lengthMin: 5, lengthMax: 6 } as const;

// For cty every extension is an unknown, so the library's built-in timestamp extension (type -1) must decode
// to raw ExtData like any other instead of to a Date.
const extensionCodec = new ExtensionCodec();
extensionCodec.register({ type: -1, encode: () => null, decode: (data, type) => new ExtData(type, data) });

const encoder = new Encoder({ extensionCodec, useBigInt64: true });
const decoder = new Decoder({ extensionCodec, useBigInt64: true });

/** Encodes a value of the given type; throws CtyCodecError naming the path when the value does not fit. */
export function encodeCtyValue(value: CtyValue, type: CtyType): Uint8Array {
  return encoder.encode(toWire(value, type, []));
}

/** Decodes msgpack bytes as a value of the given type; throws CtyCodecError naming the path of a mismatch. */
export function decodeCtyValue(bytes: Uint8Array, type: CtyType): CtyValue {
  if (bytes.length === 0) throw new CtyCodecError([], 'no msgpack bytes to decode (an empty DynamicValue means null or JSON)');
  let wire: unknown;
  try {
    wire = decoder.decode(bytes);
  } catch (error) {
    throw new CtyCodecError([], `not valid msgpack: ${(error as Error).message}`);
  }
  return fromWire(wire, type, []);
}

export function isDynamicCtyValue(value: unknown): value is DynamicCtyValue {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'dynamicType' in value && 'value' in value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof UnknownValue) &&
    !(value instanceof ExtData) &&
    !ArrayBuffer.isView(value)
  );
}

const hasOwn = (record: object, key: string) => Object.prototype.hasOwnProperty.call(record, key);
const attributeStep = (path: CtyPath, attribute: string): CtyPath => [...path, { attribute }];
const keyStep = (path: CtyPath, key: string): CtyPath => [...path, { key }];
const indexStep = (path: CtyPath, index: number): CtyPath => [...path, { index }];

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (undefined)';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'binary data';
  if (typeof value === 'bigint') return `integer ${value}`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)?.slice(0, 80)}`;
}

function setProperty(record: Record<string, unknown>, key: string, value: unknown): void {
  // "__proto__" is a legal map key; plain assignment would change the prototype instead.
  if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  else record[key] = value;
}

// ---------------------------------------------------------------------------------------------------------
// Encoding: value + type -> the structure @msgpack/msgpack writes.

function toWire(value: CtyValue | undefined, type: CtyType, path: CtyPath): unknown {
  if (value === undefined) throw new CtyCodecError(path, 'value is missing (use null for no value)');
  if (value === null) return null;
  if (value instanceof UnknownValue) return unknownToWire(value.refinements, type, path);
  if (type === 'dynamic') {
    if (!isDynamicCtyValue(value)) {
      throw new CtyCodecError(path, `a value of type dynamic must be null, unknown or { dynamicType, value }; got ${describeValue(value)}`);
    }
    if (value.dynamicType === 'dynamic') throw new CtyCodecError(path, 'the type of a dynamic value must be concrete, not "dynamic"');
    return [Buffer.from(ctyTypeJson(value.dynamicType)), toWire(value.value, value.dynamicType, path)];
  }
  const mismatch = () => new CtyCodecError(path, `a ${describeCtyType(type)} is required; got ${describeValue(value)}`);
  if (typeof type === 'string') {
    switch (type) {
      case 'string':
        if (typeof value !== 'string') throw mismatch();
        return value;
      case 'bool':
        if (typeof value !== 'boolean') throw mismatch();
        return value;
      case 'number':
        if (typeof value !== 'number') throw mismatch();
        return numberToWire(value, path);
    }
  }
  switch (type[0]) {
    case 'list':
    case 'set': {
      if (!Array.isArray(value)) throw mismatch();
      const elementType = type[1];
      return value.map((element, index) => toWire(element, elementType, indexStep(path, index)));
    }
    case 'tuple': {
      if (!Array.isArray(value)) throw mismatch();
      const elementTypes = type[1];
      if (value.length !== elementTypes.length) {
        throw new CtyCodecError(path, `a tuple of ${elementTypes.length} elements is required; got ${value.length}`);
      }
      return value.map((element, index) => toWire(element, elementTypes[index], indexStep(path, index)));
    }
    case 'map': {
      if (!isRecord(value) || isDynamicCtyValue(value)) throw mismatch();
      const elementType = type[1];
      const wire: Record<string, unknown> = {};
      for (const key of Object.keys(value).sort()) setProperty(wire, key, toWire(value[key], elementType, keyStep(path, key)));
      return wire;
    }
    case 'object': {
      if (!isRecord(value)) throw mismatch();
      const attributes = type[1];
      for (const key of Object.keys(value)) {
        if (!hasOwn(attributes, key)) throw new CtyCodecError(attributeStep(path, key), 'unsupported attribute: the type has no such attribute');
      }
      const wire: Record<string, unknown> = {};
      // cty writes attributes in name order; doing the same keeps our bytes identical to Terraform's.
      for (const name of Object.keys(attributes).sort()) {
        wire[name] = toWire(hasOwn(value, name) ? value[name] : undefined, attributes[name], attributeStep(path, name));
      }
      return wire;
    }
  }
}

function numberToWire(value: number, path: CtyPath): number | bigint | string {
  if (Number.isNaN(value)) throw new CtyCodecError(path, 'NaN is not a number cty can represent');
  return numberEncoding(value).value;
}

function unknownToWire(refinements: UnknownRefinements, type: CtyType, path: CtyPath): ExtData {
  // Only refinements that apply to the type are written, as cty does; a dynamic unknown has none.
  const entries: Array<[number, unknown]> = [];
  if (type !== 'dynamic') {
    if (refinements.nullable === false) entries.push([refinementKey.nullness, false]);
    if (type === 'string' && refinements.stringPrefix) entries.push([refinementKey.stringPrefix, refinements.stringPrefix]);
    if (type === 'number') {
      const { numberLowerBound: lower, numberUpperBound: upper } = refinements;
      if (lower) entries.push([refinementKey.numberMin, [numberToWire(lower.value, path), lower.inclusive]]);
      if (upper) entries.push([refinementKey.numberMax, [numberToWire(upper.value, path), upper.inclusive]]);
    }
    if (Array.isArray(type) && (type[0] === 'list' || type[0] === 'set' || type[0] === 'map')) {
      if (refinements.lengthLowerBound !== undefined && refinements.lengthLowerBound > 0) {
        entries.push([refinementKey.lengthMin, refinements.lengthLowerBound]);
      }
      if (refinements.lengthUpperBound !== undefined) entries.push([refinementKey.lengthMax, refinements.lengthUpperBound]);
    }
  }
  if (entries.length === 0) return new ExtData(0, new Uint8Array([0]));
  // A msgpack map with small integer keys; JavaScript objects only have string keys, so write it by hand:
  // fixmap header, then each key (a positive fixint) and its encoded value.
  const parts: Uint8Array[] = [new Uint8Array([0x80 | entries.length])];
  for (const [key, value] of entries) parts.push(new Uint8Array([key]), encoder.encode(value));
  return new ExtData(refinedUnknownExtensionType, Buffer.concat(parts));
}

// ---------------------------------------------------------------------------------------------------------
// Decoding: what @msgpack/msgpack read + type -> value.

function fromWire(wire: unknown, type: CtyType, path: CtyPath): CtyValue {
  if (wire instanceof ExtData) return unknownFromWire(wire, type, path);
  if (type === 'dynamic') return dynamicFromWire(wire, path);
  if (wire === null) return null;
  const mismatch = () => new CtyCodecError(path, `a ${describeCtyType(type)} is required; got ${describeValue(wire)}`);
  if (typeof type === 'string') {
    switch (type) {
      case 'string':
        if (typeof wire === 'string') return wire;
        if (wire instanceof Uint8Array) return Buffer.from(wire.buffer, wire.byteOffset, wire.byteLength).toString('utf8');
        throw mismatch();
      case 'bool':
        if (typeof wire !== 'boolean') throw mismatch();
        return wire;
      case 'number':
        return numberFromWire(wire, path);
    }
  }
  switch (type[0]) {
    case 'list':
    case 'set': {
      if (!Array.isArray(wire)) throw mismatch();
      const elementType = type[1];
      return wire.map((element, index) => fromWire(element, elementType, indexStep(path, index)));
    }
    case 'tuple': {
      if (!Array.isArray(wire)) throw mismatch();
      const elementTypes = type[1];
      if (wire.length !== elementTypes.length) {
        throw new CtyCodecError(path, `a tuple of ${elementTypes.length} elements is required; got ${wire.length}`);
      }
      return wire.map((element, index) => fromWire(element, elementTypes[index], indexStep(path, index)));
    }
    case 'map': {
      if (!isRecord(wire)) throw mismatch();
      const elementType = type[1];
      const value: Record<string, CtyValue> = {};
      for (const key of Object.keys(wire)) setProperty(value, key, fromWire(wire[key], elementType, keyStep(path, key)));
      return value;
    }
    case 'object': {
      if (!isRecord(wire)) throw mismatch();
      const attributes = type[1];
      const names = Object.keys(attributes);
      for (const key of Object.keys(wire)) {
        if (!hasOwn(attributes, key)) throw new CtyCodecError(attributeStep(path, key), 'unsupported attribute: the type has no such attribute');
      }
      const value: Record<string, CtyValue> = {};
      for (const name of names) {
        if (!hasOwn(wire, name)) {
          throw new CtyCodecError(
            attributeStep(path, name),
            `attribute is missing: an object with ${names.length} attributes is required (${Object.keys(wire).length} given)`,
          );
        }
        value[name] = fromWire(wire[name], attributes[name], attributeStep(path, name));
      }
      return value;
    }
  }
}

function numberFromWire(wire: unknown, path: CtyPath): number {
  let value: number | undefined;
  let shown: string;
  if (typeof wire === 'number') {
    value = Number.isInteger(wire) ? wire : numberFromDouble(wire);
    shown = String(wire);
  } else if (typeof wire === 'bigint') {
    value = numberFromBigInt(wire);
    shown = wire.toString();
  } else if (typeof wire === 'string') {
    value = numberFromDecimalText(wire);
    shown = wire;
    if (value === undefined && Number.isNaN(Number(wire.trim()))) {
      throw new CtyCodecError(path, `a number is required; got the string ${JSON.stringify(wire.slice(0, 80))}`);
    }
  } else {
    throw new CtyCodecError(path, `a number is required; got ${describeValue(wire)}`);
  }
  if (value === undefined) {
    throw new CtyCodecError(path, `the number ${shown.slice(0, 80)} cannot be represented exactly by this provider (JavaScript numbers carry about 16 significant digits)`);
  }
  return value;
}

function dynamicFromWire(wire: unknown, path: CtyPath): CtyValue {
  if (wire === null) return null;
  if (!Array.isArray(wire) || wire.length !== 2) {
    throw new CtyCodecError(path, `a dynamic value must be a [type, value] pair; got ${describeValue(wire)}`);
  }
  const [typeJson, inner] = wire as [unknown, unknown];
  if (!(typeJson instanceof Uint8Array) && typeof typeJson !== 'string') {
    throw new CtyCodecError(path, `the type of a dynamic value must be JSON bytes; got ${describeValue(typeJson)}`);
  }
  let dynamicType: CtyType;
  try {
    dynamicType = parseCtyType(typeJson);
  } catch (error) {
    if (error instanceof CtyTypeError) throw new CtyCodecError(path, `dynamic value: ${error.message}`);
    throw error;
  }
  return { dynamicType, value: fromWire(inner, dynamicType, path) };
}

function unknownFromWire(ext: ExtData, type: CtyType, path: CtyPath): UnknownValue {
  const data = ext.data instanceof Uint8Array ? ext.data : new Uint8Array(0);
  if (ext.type !== refinedUnknownExtensionType || data.length <= 1 || type === 'dynamic') return unknown;
  let body: unknown;
  try {
    body = decoder.decode(data);
  } catch (error) {
    throw new CtyCodecError(path, `unknown value refinements are not valid msgpack: ${(error as Error).message}`);
  }
  if (!isRecord(body)) throw new CtyCodecError(path, 'unknown value refinements must be a msgpack map');
  const refinements: { -readonly [K in keyof UnknownRefinements]: UnknownRefinements[K] } = {};
  const malformed = (what: string) => new CtyCodecError(path, `unknown value refinement ${what} is malformed`);
  // Keys this decoder does not know are skipped: cty reserves them for future refinements.
  for (const [key, value] of Object.entries(body)) {
    switch (Number(key)) {
      case refinementKey.nullness:
        if (typeof value !== 'boolean') throw malformed('nullness');
        if (!value) refinements.nullable = false;
        break;
      case refinementKey.stringPrefix:
        if (typeof value !== 'string') throw malformed('string prefix');
        refinements.stringPrefix = value;
        break;
      case refinementKey.numberMin:
      case refinementKey.numberMax: {
        if (!Array.isArray(value) || value.length !== 2 || typeof value[1] !== 'boolean') throw malformed('number bound');
        const bound = { value: numberFromWire(value[0], path), inclusive: value[1] };
        if (Number(key) === refinementKey.numberMin) refinements.numberLowerBound = bound;
        else refinements.numberUpperBound = bound;
        break;
      }
      case refinementKey.lengthMin:
      case refinementKey.lengthMax: {
        const length = typeof value === 'bigint' ? numberFromBigInt(value) : value;
        if (typeof length !== 'number' || !Number.isInteger(length)) throw malformed('collection length');
        if (Number(key) === refinementKey.lengthMin) refinements.lengthLowerBound = length;
        else refinements.lengthUpperBound = length;
        break;
      }
    }
  }
  return Object.keys(refinements).length === 0 ? unknown : new UnknownValue(refinements);
}
