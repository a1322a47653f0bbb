/**
 * What the `liftgate` provider's `configure` hands to every resource and data source, and how a failed
 * control-plane call becomes a diagnostic that says who lacked what, where.
 */
// The error classes come from their own module: the client itself (axios, zod) is loaded only by `configure`.
import { ApiConnectionError, ApiForbiddenError, ApiNotFoundError, ApiUnauthorizedError, type ApiError } from '../../clients/errors';
import type { LiftgateClient } from '../../clients/liftgate';
import { LiftgateApiError } from '../../clients/liftgate/errors';
import { attributePath, errorDiagnostic, type AttributePath, type Diagnostic } from '../../plugin';

export interface LiftgateProviderContext {
  readonly api: LiftgateClient;
  /**
   * Ids of default integrations whose replacement this provider process planned (name or is_default
   * changed). Terraform plans a replacement in two calls on the same process: first the change, then the
   * create half with no prior state. The second call must not report "a default integration already exists"
   * about the very integration that is replaced destroy-first.
   */
  readonly defaultIntegrationsBeingReplaced: Set<string>;
  /**
   * Ids of stacks this plan deletes or points at another integration. A destroy is planned dependents first (the
   * stacks before their integration), so when an integration's deletion is planned these are known, and its
   * warning leaves out the stacks this very plan takes off it.
   */
  readonly stacksLeavingTheirIntegration: Set<string>;
}

export type Role = 'read' | 'write' | 'admin';

/** What a request tried to do, in the terms a permission diagnostic needs. */
export interface Attempt {
  /** "create space \"team-a\"", "read stack \"api-1a2b3c\"". */
  readonly action: string;
  /** The role the control plane requires for it. */
  readonly role: Role;
  /** The space it is required on (null: not known yet, e.g. the object's space is what was not found). */
  readonly spaceId: string | null;
}

/** Control-plane field names (`details.field`) to this resource's attribute names. */
export type FieldMap = Readonly<Record<string, string>>;

function whichKey(error: ApiError): string {
  const id = typeof error.details.apiKeyId === 'string' ? error.details.apiKeyId : undefined;
  const name = typeof error.details.apiKeyName === 'string' ? error.details.apiKeyName : undefined;
  if (id !== undefined) return `API key ${name === undefined ? '' : `"${name}" `}(${id})`;
  return 'the API key configured for the provider (api_key / LIFTGATE_API_KEY)';
}

/**
 * The diagnostic for a failed call. 403 and 404 name the key, the role and the space; 401 points at the
 * key's configuration; other refusals carry the control plane's own message, on the attribute it names.
 */
export function apiErrorDiagnostic(error: unknown, attempt: Attempt, fields: FieldMap = {}): Diagnostic {
  if (!(error instanceof LiftgateApiError)) throw error;
  const diagnostic = diagnosticFor(error, attempt, fields);
  // The control plane logs every request with the id it answered with (X-Request-Id), so an operator can find it.
  const request = `\n\nRequest: ${error.method} ${error.url}${error.requestId === undefined ? '' : ` (request id ${error.requestId})`}`;
  return { ...diagnostic, detail: `${diagnostic.detail}${request}` };
}

function diagnosticFor(error: ApiError, attempt: Attempt, fields: FieldMap): Diagnostic {
  const said = error.messages[0] ?? error.message;
  if (error instanceof ApiForbiddenError) {
    const role = typeof error.details.role === 'string' ? error.details.role : attempt.role;
    const spaceId = typeof error.details.spaceId === 'string' ? error.details.spaceId : attempt.spaceId;
    return errorDiagnostic(
      `Permission denied: ${whichKey(error)} lacks the ${role} role on space "${spaceId ?? 'unknown'}"`,
      `Could not ${attempt.action}: the control plane answered 403: ${said}\n\n` +
        `Grant the key the ${role} role on space "${spaceId ?? 'unknown'}" (or on one of its ancestors: roles flow down), or use a key that has it.`,
    );
  }
  if (error instanceof ApiNotFoundError) {
    const where = attempt.spaceId === null ? 'the space of the object' : `space "${attempt.spaceId}"`;
    return errorDiagnostic(
      `Not found, or ${whichKey(error)} has no role on ${where}`,
      `Could not ${attempt.action}: the control plane answered 404: ${said}\n\n` +
        `The control plane answers 404 both for objects that do not exist and for objects the key cannot read. ` +
        `This needs the ${attempt.role} role on ${where} (or on an ancestor) for ${whichKey(error)}.`,
    );
  }
  if (error instanceof ApiUnauthorizedError) {
    return errorDiagnostic(
      'The control plane refused the API key',
      `Could not ${attempt.action}: ${said}. Check the provider's api_key (or LIFTGATE_API_KEY).`,
    );
  }
  if (error instanceof ApiConnectionError && error.networkCode === 'ERR_CANCELED') {
    return errorDiagnostic(`Could not ${attempt.action}`, 'Terraform asked the provider to stop before the control plane answered.');
  }
  if (error instanceof ApiConnectionError) {
    return errorDiagnostic('Cannot reach the Liftgate control plane', `Could not ${attempt.action}: ${error.message}. Check the provider's endpoint (or LIFTGATE_ENDPOINT).`);
  }
  const field = typeof error.details.field === 'string' ? fields[error.details.field] : undefined;
  const path: AttributePath | undefined = field === undefined ? undefined : attributePath(field);
  const status = error.status === undefined ? '' : ` (${error.status}${error.code === undefined ? '' : ` ${error.code}`})`;
  return errorDiagnostic(`The control plane refused to ${attempt.action}${status}`, said, path);
}

/** Formats names for a message: `"a", "b" and "c"`. */
export function quotedList(names: readonly string[]): string {
  const quoted = names.map((name) => `"${name}"`);
  return quoted.length <= 1 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1]}`;
}
