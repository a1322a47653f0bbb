/**
 * Where in a value something is, in the three step kinds Terraform's AttributePath has: an attribute of an
 * object, a string key of a map, an integer index of a list, set or tuple.
 */
export type CtyPathStep = { readonly attribute: string } | { readonly key: string } | { readonly index: number };
export type CtyPath = readonly CtyPathStep[];

/** `.name`, `["key"]`, `[3]` joined, the way Terraform prints paths; `(root)` for the value itself. */
export function formatCtyPath(path: CtyPath): string {
  if (path.length === 0) return '(root)';
  return path
    .map((step) => ('attribute' in step ? `.${step.attribute}` : 'key' in step ? `[${JSON.stringify(step.key)}]` : `[${step.index}]`))
    .join('')
    .replace(/^\./, '');
}

/** A value that does not match its type, or bytes that are not a value of the type; names where. */
export class CtyCodecError extends Error {
  override readonly name = 'CtyCodecError';
  constructor(
    readonly path: CtyPath,
    readonly problem: string,
  ) {
    super(path.length === 0 ? problem : `${formatCtyPath(path)}: ${problem}`);
  }
}
