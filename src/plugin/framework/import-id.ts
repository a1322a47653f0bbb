/**
 * Composite import ids such as `PROJECT/repo/42`: `terraform import` passes one string, and resources
 * keyed by several attributes split it the same way, with the same error for a malformed id.
 */
import { errorDiagnostic, type Diagnostic } from './diagnostics';

export type ImportIdParts<Name extends string> = { readonly [K in Name]: string };

/**
 * Splits `id` on `/` into exactly the named, non-empty parts, or explains the expected form
 * (`<project_key>/<repository_slug>/<webhook_id>`) in an error diagnostic.
 */
export function splitImportId<const Name extends string>(
  id: string,
  names: readonly Name[],
): { readonly parts: ImportIdParts<Name>; readonly diagnostics?: undefined } | { readonly parts?: undefined; readonly diagnostics: Diagnostic[] } {
  const pieces = id.split('/');
  if (pieces.length !== names.length || pieces.some((piece) => piece === '')) {
    const form = names.map((name) => `<${name}>`).join('/');
    return { diagnostics: [errorDiagnostic('Invalid import id', `Expected an id of the form ${form}, got ${JSON.stringify(id)}.`)] };
  }
  return { parts: Object.fromEntries(names.map((name, index) => [name, pieces[index] as string])) as ImportIdParts<Name> };
}
