/** Helpers shared by the store modules to turn database rows into plain values. */

/** Both engines return timestamptz as Date; the API speaks ISO-8601 strings. */
export function isoTimestamp(value: unknown): string {
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}

/** text[] columns come back as arrays from both engines; sorted so a set of labels has one form. */
export function labelSet(value: unknown): string[] {
  return Array.isArray(value) ? [...new Set(value.map(String))].sort() : [];
}
