import { decodeCtyValue, encodeCtyValue } from '../../../src/plugin/cty/msgpack';
import { CtyCodecError } from '../../../src/plugin/cty/path';
import { UnknownValue, unknown, type CtyType, type CtyValue } from '../../../src/plugin/cty/types';

const bytes = (hex: string) => Buffer.from(hex.replace(/\s+/g, ''), 'hex');
const hex = (data: Uint8Array) => Buffer.from(data).toString('hex');
const ascii = (text: string) => Buffer.from(text, 'utf8').toString('hex');

function codecError(run: () => unknown): CtyCodecError {
  try {
    run();
  } catch (error) {
    if (error instanceof CtyCodecError) return error;
    throw error;
  }
  throw new Error('expected a CtyCodecError');
}

describe('byte-level agreement with Terraform (go-cty) encodings', () => {
  const webhook: CtyType = ['object', { id: 'string', name: 'string', active: 'bool', events: ['set', 'string'] }];

  it('writes a wholly unknown value as fixext1 type 0 with a zero byte: D4 00 00', () => {
    expect(hex(encodeCtyValue(unknown, 'string'))).toBe('d40000');
    expect(hex(encodeCtyValue(unknown, webhook))).toBe('d40000');
    expect(hex(encodeCtyValue(unknown, 'dynamic'))).toBe('d40000');
  });

  it('writes null as C0, and a null object as the single byte C0', () => {
    expect(hex(encodeCtyValue(null, webhook))).toBe('c0');
    expect(decodeCtyValue(bytes('c0'), webhook)).toBeNull();
  });

  it('writes every attribute of an object, in name order, null and unknown included', () => {
    const value = { name: 'ci', id: unknown, events: ['repo:refs_changed'], active: null };
    expect(hex(encodeCtyValue(value, webhook))).toBe(
      '84' +
        `a6${ascii('active')}c0` +
        `a6${ascii('events')}91b1${ascii('repo:refs_changed')}` +
        `a2${ascii('id')}d40000` +
        `a4${ascii('name')}a2${ascii('ci')}`,
    );
  });

  it('encodes numbers as cty does: compact ints, float64 when exact, decimal text otherwise', () => {
    expect(hex(encodeCtyValue(5, 'number'))).toBe('05');
    expect(hex(encodeCtyValue(-1, 'number'))).toBe('ff');
    expect(hex(encodeCtyValue(300, 'number'))).toBe('cd012c');
    expect(hex(encodeCtyValue(-200, 'number'))).toBe('d1ff38');
    expect(hex(encodeCtyValue(1.5, 'number'))).toBe('cb3ff8000000000000');
    expect(hex(encodeCtyValue(2 ** 60, 'number'))).toBe('cf1000000000000000');
    expect(hex(encodeCtyValue(0.1, 'number'))).toBe(`a3${ascii('0.1')}`);
    expect(hex(encodeCtyValue(Infinity, 'number'))).toBe('cb7ff0000000000000');
  });

  it('reads the number forms Terraform sends, including decimal text for values no double holds', () => {
    expect(decodeCtyValue(bytes('cd012c'), 'number')).toBe(300);
    expect(decodeCtyValue(bytes('d1ff38'), 'number')).toBe(-200);
    expect(decodeCtyValue(bytes('cb3ff8000000000000'), 'number')).toBe(1.5);
    expect(decodeCtyValue(bytes(`a3${ascii('0.1')}`), 'number')).toBe(0.1);
    expect(decodeCtyValue(bytes('cf1000000000000000'), 'number')).toBe(2 ** 60);
    expect(decodeCtyValue(bytes('ca3fc00000'), 'number')).toBe(1.5);
  });

  it('writes a dynamic value as [type JSON as bin, value]', () => {
    expect(hex(encodeCtyValue({ dynamicType: 'string', value: 'hi' }, 'dynamic'))).toBe(`92c408${ascii('"string"')}a2${ascii('hi')}`);
    expect(decodeCtyValue(bytes(`92c408${ascii('"string"')}a2${ascii('hi')}`), 'dynamic')).toEqual({ dynamicType: 'string', value: 'hi' });
  });

  it('keeps the concrete type of a null or unknown inside a dynamic value, and reads a bare C0 as untyped null', () => {
    const typedNull = encodeCtyValue({ dynamicType: ['list', 'number'], value: null }, 'dynamic');
    expect(hex(typedNull)).toBe(`92c411${ascii('["list","number"]')}c0`);
    expect(decodeCtyValue(typedNull, 'dynamic')).toEqual({ dynamicType: ['list', 'number'], value: null });
    expect(decodeCtyValue(bytes('c0'), 'dynamic')).toBeNull();
    expect(decodeCtyValue(bytes(`92c408${ascii('"number"')}d40000`), 'dynamic')).toEqual({ dynamicType: 'number', value: unknown });
  });

  it('writes a string-typed unknown known not to be null and prefixed as ext 12 with a refinement map', () => {
    const refined = new UnknownValue({ nullable: false, stringPrefix: 'https://' });
    const expected = `c70d0c 82 01c2 02a8${ascii('https://')}`.replace(/\s/g, '');
    expect(hex(encodeCtyValue(refined, 'string'))).toBe(expected);
    expect(decodeCtyValue(bytes(expected), 'string')).toEqual(refined);
  });

  it('reads number bounds and collection lengths from refined unknowns', () => {
    // {3: [0, true], 4: [0.5 as float64, false]}
    const numberBounds = bytes('c7 11 0c 82 03 92 00 c3 04 92 cb 3fe0000000000000 c2');
    expect(decodeCtyValue(numberBounds, 'number')).toEqual(
      new UnknownValue({ numberLowerBound: { value: 0, inclusive: true }, numberUpperBound: { value: 0.5, inclusive: false } }),
    );
    const lengths = bytes('c7 07 0c 83 01 c2 05 02 06 04');
    expect(decodeCtyValue(lengths, ['list', 'string'])).toEqual(new UnknownValue({ nullable: false, lengthLowerBound: 2, lengthUpperBound: 4 }));
  });

  it('writes only the refinements that apply to the type, and D4 00 00 when none do', () => {
    const refinements = new UnknownValue({ stringPrefix: 'x', lengthLowerBound: 3 });
    expect(hex(encodeCtyValue(refinements, 'number'))).toBe('d40000');
    expect(hex(encodeCtyValue(new UnknownValue({ nullable: false }), 'dynamic'))).toBe('d40000');
    expect(hex(encodeCtyValue(new UnknownValue({ lengthLowerBound: 0 }), ['map', 'string']))).toBe('d40000');
  });

  it.each([
    ['fixext1 type 0 (what Terraform writes)', 'd40000'],
    ['fixext2 of another type', 'd505abcd'],
    ['an empty ext8 body', 'c70007'],
    ['type -1, which msgpack libraries treat as a timestamp', 'd6ff00000001'],
    ['ext 12 whose one-byte body carries no refinements', 'd40c00'],
    ['ext 12 with an empty refinement map', 'c7010c80'],
  ])('reads any extension type as unknown: %s', (_name, encoded) => {
    expect(decodeCtyValue(bytes(encoded), 'string')).toEqual(unknown);
    expect(decodeCtyValue(bytes(`81a161${encoded}`), ['object', { a: ['list', 'number'] }])).toEqual({ a: unknown });
  });

  it('ignores refinement keys it does not know, as cty reserves them for later', () => {
    expect(decodeCtyValue(bytes('c7050c82 01c2 2a01'), 'bool')).toEqual(new UnknownValue({ nullable: false }));
  });
});

describe('decoding errors name the attribute path', () => {
  const type: CtyType = ['object', { name: 'string', hooks: ['list', ['object', { url: 'string', tags: ['map', 'number'] }]] }];
  const valid = { name: 'a', hooks: [{ url: 'u', tags: { x: 1 } }] };

  it('reports a missing attribute', () => {
    const error = codecError(() => decodeCtyValue(bytes(`81a4${ascii('name')}a161`), type));
    expect(error.path).toEqual([{ attribute: 'hooks' }]);
    expect(error.message).toBe('hooks: attribute is missing: an object with 2 attributes is required (1 given)');
  });

  it('reports an attribute the type does not have', () => {
    const encoded = hex(encodeCtyValue(valid, type));
    // Swap "name" for "nope": same length, so the rest of the bytes stay valid.
    const error = codecError(() => decodeCtyValue(bytes(encoded.replace(ascii('name'), ascii('nope'))), type));
    expect(error.path).toEqual([{ attribute: 'nope' }]);
    expect(error.problem).toContain('unsupported attribute');
  });

  it('reports a wrong type deep inside lists and maps', () => {
    const wrong = encodeCtyValue({ name: 'a', hooks: [{ url: 'u', tags: { x: 'not a number' } }] }, ['object', {
      name: 'string',
      hooks: ['list', ['object', { url: 'string', tags: ['map', 'string'] }]],
    }]);
    const error = codecError(() => decodeCtyValue(wrong, type));
    expect(error.message).toBe('hooks[0].tags["x"]: a number is required; got the string "not a number"');
    expect(error.path).toEqual([{ attribute: 'hooks' }, { index: 0 }, { attribute: 'tags' }, { key: 'x' }]);
  });

  it('reports a number no JavaScript number can carry instead of rounding it', () => {
    const error = codecError(() => decodeCtyValue(bytes(`b7${ascii('12345678901234567890123')}`), 'number'));
    expect(error.message).toContain('12345678901234567890123 cannot be represented exactly');
    expect(() => decodeCtyValue(bytes('cfffffffffffffffff'), 'number')).toThrow('cannot be represented exactly');
  });

  it('reports a tuple of the wrong length, a bad dynamic pair, bytes that are not msgpack and empty input', () => {
    expect(() => decodeCtyValue(bytes('91c3'), ['tuple', ['bool', 'bool']])).toThrow('a tuple of 2 elements is required; got 1');
    expect(() => decodeCtyValue(bytes('91c3'), 'dynamic')).toThrow('a dynamic value must be a [type, value] pair');
    expect(() => decodeCtyValue(bytes(`92c405${ascii('"foo"')}c0`), 'dynamic')).toThrow('dynamic value: unknown type name');
    expect(() => decodeCtyValue(bytes('c1'), 'string')).toThrow('not valid msgpack');
    expect(() => decodeCtyValue(bytes('c3c3'), 'bool')).toThrow('not valid msgpack');
    expect(() => decodeCtyValue(new Uint8Array(0), 'string')).toThrow('no msgpack bytes');
  });
});

describe('encoding errors name the attribute path', () => {
  const type: CtyType = ['object', { name: 'string', size: 'number' }];

  it.each<[string, CtyValue | undefined, string]>([
    ['a missing attribute', { name: 'x' }, 'size: value is missing (use null for no value)'],
    ['an attribute the type does not have', { name: 'x', size: 1, colour: 'red' }, 'colour: unsupported attribute'],
    ['a value of the wrong type', { name: 1, size: 1 }, 'name: a string is required; got number 1'],
    ['NaN', { name: 'x', size: NaN }, 'size: NaN is not a number cty can represent'],
  ])('rejects %s', (_name, value, message) => {
    expect(() => encodeCtyValue(value as CtyValue, type)).toThrow(message);
  });

  it('rejects a dynamic value without its type, and "dynamic" as a concrete type', () => {
    expect(() => encodeCtyValue('bare string' as CtyValue, 'dynamic')).toThrow('a value of type dynamic must be null, unknown or { dynamicType, value }');
    expect(() => encodeCtyValue({ dynamicType: 'dynamic', value: null }, 'dynamic')).toThrow('must be concrete');
  });

  it('rejects a tuple of the wrong length', () => {
    expect(() => encodeCtyValue([true], ['tuple', ['bool', 'string']])).toThrow('a tuple of 2 elements is required; got 1');
  });
});

describe('map keys', () => {
  it('round-trips keys that are also Object.prototype member names', () => {
    const value = { constructor: 'a', toString: 'b', hasOwnProperty: 'c' };
    expect(decodeCtyValue(encodeCtyValue(value, ['map', 'string']), ['map', 'string'])).toEqual(value);
  });
});
