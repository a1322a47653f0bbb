import { CtyTypeError, ctyTypeJson, describeCtyType, parseCtyType } from '../../../src/plugin/cty/type-json';

describe('parseCtyType', () => {
  it.each([
    ['"string"', 'string'],
    ['"dynamic"', 'dynamic'],
    ['["list","number"]', ['list', 'number']],
    ['["map",["set","bool"]]', ['map', ['set', 'bool']]],
    ['["tuple",["string",["list","bool"]]]', ['tuple', ['string', ['list', 'bool']]]],
    ['["object",{"a":"string","b":["map","number"]}]', ['object', { a: 'string', b: ['map', 'number'] }]],
    ['["object",{"a":"string","b":"bool"},["b"]]', ['object', { a: 'string', b: 'bool' }, ['b']]],
  ])('reads %s', (json, expected) => {
    expect(parseCtyType(json)).toEqual(expected);
    expect(parseCtyType(Buffer.from(json))).toEqual(expected);
  });

  it.each([
    ['not JSON', '["list"', 'type is not valid JSON'],
    ['an unknown name', '"text"', 'unknown type name'],
    ['an unknown kind', '["array","string"]', 'unknown type kind'],
    ['a list with two element types', '["list","string","bool"]', 'exactly one element type'],
    ['a bad element deep inside', '["map",["list","strin"]]', 'map element: list element: unknown type name'],
    ['an object without attributes', '["object","string"]', 'an object type is'],
    ['optional attributes the object lacks', '["object",{"a":"string"},["b"]]', 'optional attributes'],
    ['a bare array', '[]', 'a type is a name or a [kind, ...] array'],
  ])('rejects %s with a message saying what is wrong', (_name, json, message) => {
    expect(() => parseCtyType(json)).toThrow(CtyTypeError);
    expect(() => parseCtyType(json)).toThrow(message);
  });
});

describe('ctyTypeJson', () => {
  it('writes object attributes in name order and drops the optional-attribute list', () => {
    expect(ctyTypeJson(['object', { b: 'string', a: ['list', ['object', { z: 'bool', y: 'number' }]] }, ['b']])).toBe(
      '["object",{"a":["list",["object",{"y":"number","z":"bool"}]],"b":"string"}]',
    );
  });
});

describe('describeCtyType', () => {
  it('names types for error messages', () => {
    expect(describeCtyType(['list', ['map', 'string']])).toBe('list of map of string');
    expect(describeCtyType(['tuple', ['string', 'bool']])).toBe('tuple of 2 elements');
  });
});
