/**
 * cty numbers are arbitrary-precision decimals; the value model uses JavaScript numbers. This file decides,
 * exactly, which cty number a JavaScript number stands for and which cty numbers a JavaScript number can
 * carry without loss:
 * - an integer-valued number stands for its exact binary value (what an msgpack int carries);
 * - any other finite number stands for its shortest decimal text, `String(n)`: config `0.1` arrives as the
 *   decimal 0.1 (Terraform sends it as the string "0.1" because no float64 equals it), and must go back as
 *   that same decimal or Terraform reports "planned value does not match config value".
 * Anything else (e.g. 1/3 computed by Terraform at 512 bits) cannot be carried and is reported, never rounded.
 */

/** A finite decimal as digits × 10^exponent, with no leading or trailing zeros in `digits` ("" for zero). */
interface Decimal {
  readonly negative: boolean;
  readonly digits: string;
  readonly exponent: number;
}

const decimalPattern = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

function normalise(negative: boolean, digits: string, exponent: number): Decimal {
  const leading = digits.match(/^0*/)![0].length;
  let trimmed = digits.slice(leading);
  let shifted = exponent;
  const trailing = trimmed.match(/0*$/)![0].length;
  if (trailing > 0) {
    trimmed = trimmed.slice(0, trimmed.length - trailing);
    shifted += trailing;
  }
  return trimmed === '' ? { negative: false, digits: '', exponent: 0 } : { negative, digits: trimmed, exponent: shifted };
}

/** Parses decimal number text as cty accepts it (`-12.5e3`, `0.1`, `7`); undefined when it is not one. */
export function parseDecimal(text: string): Decimal | undefined {
  const match = decimalPattern.exec(text.trim());
  if (!match) return undefined;
  const [, sign, whole = '', fraction = '', exponent = '0'] = match;
  if (whole === '' && fraction === '') return undefined;
  return normalise(sign === '-', whole + fraction, Number(exponent) - fraction.length);
}

const float64 = new DataView(new ArrayBuffer(8));

/** The exact decimal value of a finite double (every double is a finite binary fraction). */
export function exactDecimalOfDouble(value: number): Decimal {
  float64.setFloat64(0, value);
  const bits = float64.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const biasedExponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  const mantissa = biasedExponent === 0 ? fraction : fraction | (1n << 52n);
  const binaryExponent = (biasedExponent === 0 ? 1 : biasedExponent) - 1075;
  if (binaryExponent >= 0) return normalise(negative, (mantissa << BigInt(binaryExponent)).toString(), 0);
  // m × 2^-k = m × 5^k × 10^-k
  const k = -binaryExponent;
  return normalise(negative, (mantissa * 5n ** BigInt(k)).toString(), -k);
}

function sameDecimal(a: Decimal, b: Decimal): boolean {
  return a.negative === b.negative && a.digits === b.digits && a.exponent === b.exponent;
}

/** The cty number a finite JavaScript number stands for (see the file comment). */
function ctyDecimalOf(value: number): Decimal {
  return Number.isInteger(value) ? exactDecimalOfDouble(value) : (parseDecimal(String(value)) as Decimal);
}

/** How the msgpack encoder writes a number, mirroring cty: int if an int64 holds it, float64 if a double
 * holds it exactly, else decimal text. */
export type NumberEncoding = { kind: 'int'; value: number | bigint } | { kind: 'float'; value: number } | { kind: 'string'; value: string };

const int64Limit = 2 ** 63;

export function numberEncoding(value: number): NumberEncoding {
  if (!Number.isFinite(value)) return { kind: 'float', value };
  if (Number.isInteger(value)) {
    if (Number.isSafeInteger(value)) return { kind: 'int', value: value === 0 ? 0 : value };
    if (value >= -int64Limit && value < int64Limit) return { kind: 'int', value: BigInt(value) };
    return { kind: 'float', value };
  }
  return sameDecimal(exactDecimalOfDouble(value), parseDecimal(String(value)) as Decimal)
    ? { kind: 'float', value }
    : { kind: 'string', value: String(value) };
}

/** A double received as msgpack float: its value is exact, so it fits iff it is what the number stands for. */
export function numberFromDouble(value: number): number | undefined {
  if (Number.isNaN(value)) return undefined;
  if (!Number.isFinite(value)) return value;
  return sameDecimal(ctyDecimalOf(value), exactDecimalOfDouble(value)) ? value : undefined;
}

/** An integer received as msgpack int64/uint64 beyond 2^53. */
export function numberFromBigInt(value: bigint): number | undefined {
  const candidate = Number(value);
  return BigInt(candidate) === value ? candidate : undefined;
}

/** Decimal text received as a number (cty's fallback encoding, and JSON state numbers). */
export function numberFromDecimalText(text: string): number | undefined {
  const decimal = parseDecimal(text);
  if (!decimal) return undefined;
  const candidate = Number(text.trim());
  if (!Number.isFinite(candidate)) return undefined;
  return sameDecimal(ctyDecimalOf(candidate), decimal) ? (candidate === 0 ? 0 : candidate) : undefined;
}
