import fc from 'fast-check';
import { decodeCtyValue, encodeCtyValue, isDynamicCtyValue } from '../../../src/plugin/cty/msgpack';
import { CtyCodecError } from '../../../src/plugin/cty/path';
import { UnknownValue, unknown, type CtyType, type CtyValue, type UnknownRefinements } from '../../../src/plugin/cty/types';

const attributeName = fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/).filter((name) => name !== '__proto__');
// @msgpack/msgpack refuses a map key "__proto__" on decode (prototype pollution guard); every other string works.
const mapKey = fc.string({ unit: 'grapheme', maxLength: 6 }).filter((key) => key !== '__proto__');

function typeArbitrary(allowDynamic: boolean): fc.Arbitrary<CtyType> {
  const primitives: CtyType[] = ['string', 'number', 'bool', ...(allowDynamic ? (['dynamic'] as CtyType[]) : [])];
  return fc.letrec<{ type: CtyType }>((tie) => ({
    type: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom(...primitives),
      fc.tuple(fc.constantFrom('list' as const, 'set' as const, 'map' as const), tie('type')).map(([kind, element]): CtyType => [kind, element]),
      fc.array(tie('type'), { maxLength: 3 }).map((elements): CtyType => ['tuple', elements]),
      fc.dictionary(attributeName, tie('type'), { maxKeys: 4 }).map((attributes): CtyType => ['object', attributes]),
    ),
  })).type;
}

const numberArbitrary = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.maxSafeInteger(),
  fc.constantFrom(0.1, 0.2 + 0.1, 1 / 3, 2 ** 60, -(2 ** 63), 2 ** 64, 1e21, 5e-324, Infinity, -Infinity),
);

/** Refinements that apply to the type (the encoder drops the others, as cty does). */
function unknownArbitrary(type: CtyType): fc.Arbitrary<UnknownValue> {
  if (type === 'dynamic') return fc.constant(unknown);
  const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
  const parts: Record<string, fc.Arbitrary<unknown>> = { nullable: optional(fc.constant(false)) };
  if (type === 'string') parts.stringPrefix = optional(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 5 }));
  if (type === 'number') {
    const bound = fc.record({ value: fc.double({ noNaN: true }), inclusive: fc.boolean() });
    parts.numberLowerBound = optional(bound);
    parts.numberUpperBound = optional(bound);
  }
  if (Array.isArray(type) && (type[0] === 'list' || type[0] === 'set' || type[0] === 'map')) {
    parts.lengthLowerBound = optional(fc.integer({ min: 1, max: 100 }));
    parts.lengthUpperBound = optional(fc.integer({ min: 0, max: 100 }));
  }
  return fc.record(parts).map((drawn) => {
    const refinements = Object.fromEntries(Object.entries(drawn).filter(([, value]) => value !== undefined)) as UnknownRefinements;
    return Object.keys(refinements).length === 0 ? unknown : new UnknownValue(refinements);
  });
}

function valueArbitrary(type: CtyType): fc.Arbitrary<CtyValue> {
  let known: fc.Arbitrary<CtyValue>;
  if (type === 'string') known = fc.string({ unit: 'grapheme', maxLength: 10 });
  else if (type === 'number') known = numberArbitrary;
  else if (type === 'bool') known = fc.boolean();
  else if (type === 'dynamic') {
    known = typeArbitrary(false).chain((dynamicType) => valueArbitrary(dynamicType).map((value) => ({ dynamicType, value })));
  } else {
    switch (type[0]) {
      case 'list':
      case 'set':
        known = fc.array(valueArbitrary(type[1]), { maxLength: 3 });
        break;
      case 'map':
        known = fc.dictionary(mapKey, valueArbitrary(type[1]), { maxKeys: 3 });
        break;
      case 'tuple':
        known = fc.tuple(...type[1].map(valueArbitrary));
        break;
      case 'object': {
        const attributes = type[1];
        known = fc.record(Object.fromEntries(Object.keys(attributes).map((name) => [name, valueArbitrary(attributes[name])])));
        break;
      }
    }
  }
  return fc.oneof({ weight: 6, arbitrary: known }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: unknownArbitrary(type) });
}

const typedValue = typeArbitrary(true).chain((type) => valueArbitrary(type).map((value) => ({ type, value })));

/** -0 has no cty counterpart distinct from 0; the codec writes it as 0. */
function withoutNegativeZero(value: CtyValue): CtyValue {
  if (typeof value === 'number') return Object.is(value, -0) ? 0 : value;
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof UnknownValue) {
    const { numberLowerBound: lower, numberUpperBound: upper } = value.refinements;
    const fixBound = (bound: typeof lower) => bound && { ...bound, value: withoutNegativeZero(bound.value) as number };
    return new UnknownValue({
      ...value.refinements,
      ...(lower && { numberLowerBound: fixBound(lower) }),
      ...(upper && { numberUpperBound: fixBound(upper) }),
    });
  }
  if (Array.isArray(value)) return value.map(withoutNegativeZero);
  if (isDynamicCtyValue(value)) return { dynamicType: value.dynamicType, value: withoutNegativeZero(value.value) };
  return Object.fromEntries(Object.entries(value).map(([key, element]) => [key, withoutNegativeZero(element)]));
}

describe('msgpack codec properties', () => {
  it('decodes what it encodes to an equal value, for generated types and values with nulls and unknowns anywhere', () => {
    fc.assert(
      fc.property(typedValue, ({ type, value }) => {
        expect(decodeCtyValue(encodeCtyValue(value, type), type)).toEqual(withoutNegativeZero(value));
      }),
      { numRuns: 400 },
    );
  });

  it('re-encodes a decoded value to the same bytes (no perpetual diffs from the wire format)', () => {
    fc.assert(
      fc.property(typedValue, ({ type, value }) => {
        const encoded = encodeCtyValue(value, type);
        expect(Buffer.from(encodeCtyValue(decodeCtyValue(encoded, type), type))).toEqual(Buffer.from(encoded));
      }),
      { numRuns: 300 },
    );
  });

  it('carries every double exactly as the number it stands for', () => {
    fc.assert(
      fc.property(numberArbitrary, (value) => {
        expect(decodeCtyValue(encodeCtyValue(value, 'number'), 'number')).toBe(Object.is(value, -0) ? 0 : value);
      }),
      { numRuns: 2000 },
    );
  });

  it('answers arbitrary bytes with a value or a CtyCodecError, never another exception', () => {
    fc.assert(
      fc.property(typeArbitrary(true), fc.uint8Array({ minLength: 1, maxLength: 40 }), (type, data) => {
        try {
          decodeCtyValue(data, type);
        } catch (error) {
          expect(error).toBeInstanceOf(CtyCodecError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
