import {
  exactDecimalOfDouble,
  numberEncoding,
  numberFromBigInt,
  numberFromDecimalText,
  numberFromDouble,
  parseDecimal,
} from '../../../src/plugin/cty/numbers';

describe('cty numbers in JavaScript', () => {
  it('knows the exact decimal value of a double', () => {
    expect(exactDecimalOfDouble(0.1)).toEqual({ negative: false, digits: '1000000000000000055511151231257827021181583404541015625', exponent: -55 });
    expect(exactDecimalOfDouble(1.5)).toEqual({ negative: false, digits: '15', exponent: -1 });
    expect(exactDecimalOfDouble(-1200)).toEqual({ negative: true, digits: '12', exponent: 2 });
    expect(exactDecimalOfDouble(0)).toEqual({ negative: false, digits: '', exponent: 0 });
    expect(exactDecimalOfDouble(5e-324).exponent).toBe(-1074);
  });

  it('parses the decimal text forms cty accepts and nothing else', () => {
    expect(parseDecimal('-012.50e2')).toEqual({ negative: true, digits: '125', exponent: 1 });
    expect(parseDecimal('.5')).toEqual({ negative: false, digits: '5', exponent: -1 });
    expect(parseDecimal('1e+21')).toEqual({ negative: false, digits: '1', exponent: 21 });
    for (const bad of ['', '-', '.', '1e', 'abc', '0x10', 'Infinity', '1_000']) expect(parseDecimal(bad)).toBeUndefined();
  });

  it.each<[number, ReturnType<typeof numberEncoding>]>([
    [42, { kind: 'int', value: 42 }],
    [-0, { kind: 'int', value: 0 }],
    [2 ** 53 + 2, { kind: 'int', value: BigInt(2 ** 53 + 2) }],
    [2 ** 63, { kind: 'float', value: 2 ** 63 }],
    [0.5, { kind: 'float', value: 0.5 }],
    [0.1, { kind: 'string', value: '0.1' }],
    [1e-7, { kind: 'string', value: '1e-7' }],
    [-Infinity, { kind: 'float', value: -Infinity }],
  ])('writes %p as cty would write the number it stands for', (value, expected) => {
    expect(numberEncoding(value)).toEqual(expected);
  });

  it('accepts decimal text a JavaScript number carries exactly, and refuses text it would round', () => {
    expect(numberFromDecimalText('0.1')).toBe(0.1);
    expect(numberFromDecimalText('  7 ')).toBe(7);
    expect(numberFromDecimalText('-0')).toBe(0);
    expect(numberFromDecimalText('9007199254740993')).toBeUndefined();
    expect(numberFromDecimalText('0.33333333333333333333333')).toBeUndefined();
    expect(numberFromDecimalText('1e400')).toBeUndefined();
    expect(numberFromDecimalText('nope')).toBeUndefined();
  });

  it('accepts a received double only when it is the number a JavaScript number stands for', () => {
    expect(numberFromDouble(0.5)).toBe(0.5);
    expect(numberFromDouble(Infinity)).toBe(Infinity);
    expect(numberFromDouble(NaN)).toBeUndefined();
    // float64 0.1 is 0.1000000000000000055511151231257827…, a different cty number from the decimal 0.1.
    expect(numberFromDouble(0.1)).toBeUndefined();
  });

  it('accepts a received 64-bit integer only when a double holds it', () => {
    expect(numberFromBigInt(2n ** 60n)).toBe(2 ** 60);
    expect(numberFromBigInt(2n ** 53n + 1n)).toBeUndefined();
  });
});
