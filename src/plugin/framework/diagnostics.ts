/**
 * Diagnostics: the only way the framework and provider code report problems to Terraform. Each may
 * point at an attribute, which Terraform turns into a pointer at the offending line of configuration.
 */

/** One step into a value: an object attribute, a map key, or a list index. */
export type PathStep =
  | { readonly attribute: string }
  | { readonly key: string }
  | { readonly index: number };

/** Where a diagnostic points, from the resource (or provider/data source) object inward. */
export type AttributePath = readonly PathStep[];

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  readonly severity: Severity;
  /** One short sentence, shown after "Error:" / "Warning:". */
  readonly summary: string;
  /** The explanation; may span lines. */
  readonly detail: string;
  readonly path?: AttributePath;
}

/** The path of a top-level attribute. */
export function attributePath(name: string): AttributePath {
  return [{ attribute: name }];
}

/** `path` extended by a map key. */
export function atKey(path: AttributePath, key: string): AttributePath {
  return [...path, { key }];
}

/** `path` extended by a list index. */
export function atIndex(path: AttributePath, index: number): AttributePath {
  return [...path, { index }];
}

export function errorDiagnostic(summary: string, detail = '', path?: AttributePath): Diagnostic {
  return path === undefined ? { severity: 'error', summary, detail } : { severity: 'error', summary, detail, path };
}

export function warningDiagnostic(summary: string, detail = '', path?: AttributePath): Diagnostic {
  return path === undefined ? { severity: 'warning', summary, detail } : { severity: 'warning', summary, detail, path };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((diagnostic) => diagnostic.severity === 'error');
}

/** `events`, `labels["team"]`, `urls[2]`: how Terraform users write the path in HCL. */
export function formatPath(path: AttributePath): string {
  let text = '';
  for (const step of path) {
    if ('attribute' in step) text += text === '' ? step.attribute : `.${step.attribute}`;
    else if ('key' in step) text += `[${JSON.stringify(step.key)}]`;
    else text += `[${step.index}]`;
  }
  return text;
}

/** The sentence every "the provider itself is wrong" diagnostic ends with. */
export const providerBugNotice =
  'This is a provider bug, not a problem with your configuration: please report it to the provider\'s maintainers.';

/** An error diagnostic for a broken promise of the provider code (as opposed to a user or remote error). */
export function providerBugDiagnostic(summary: string, detail: string, path?: AttributePath): Diagnostic {
  return errorDiagnostic(summary, `${detail}\n\n${providerBugNotice}`, path);
}

/** A diagnostic for an exception thrown by provider code: always a provider bug (see definitions.ts). */
export function thrownDiagnostic(what: string, error: unknown): Diagnostic {
  const message = error instanceof Error ? error.message : String(error);
  return providerBugDiagnostic(`Unexpected error in ${what}`, `${what} threw an exception instead of returning diagnostics: ${message}`);
}
