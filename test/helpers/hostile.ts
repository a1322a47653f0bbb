/** Generated hostile input for the API fuzz suites (fast-check): what a careless or malicious client may send. */
import fc from 'fast-check';

/**
 * Strings as hostile clients send them: any code point, plus NUL, lone surrogates, traversal and percent text, and
 * `specials` aimed at the API under test (SQL naming its tables, prefixes of its keys).
 */
export function hostileStrings(specials: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '\ud800', 'x\udc00', '../../etc', '%00', ...specials),
  );
}

/** JSON values of every kind, nested a little, with `strings` for text and object keys. */
export function hostileValues(strings: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  return fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      strings,
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(strings, tie('value'), { maxKeys: 4 }),
    ),
  })).value;
}

/** Objects with the fields a reader looks at (more likely to pass a shape check), each given one of `values`. */
export function objectsWith(fields: readonly string[], values: fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(Object.fromEntries(fields.map((field) => [field, values])), { requiredKeys: [] });
}

/** Percent-encodes every UTF-8 byte (encodeURIComponent throws on lone surrogates; Buffer makes them U+FFFD). */
export function percentEncoded(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
}
