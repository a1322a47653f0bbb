/**
 * The control-plane client's errors: the clients' error classes (ApiNotFoundError, ApiForbiddenError, …) with
 * service "Liftgate" and the control plane's `error.message`, `error.code` and `error.details` (never the API key).
 */
import { ApiError, apiError, isErrorOf, type Failure } from '../errors';

const SERVICE = 'Liftgate';

/** `error instanceof LiftgateApiError`: any error of the control-plane client (never constructed itself). */
export abstract class LiftgateApiError extends ApiError {
  static override [Symbol.hasInstance](value: unknown): value is ApiError {
    return isErrorOf(SERVICE, value);
  }
}

/** The transport's failures as control-plane errors, with the control plane's error body. */
export function liftgateError(failure: Failure): ApiError {
  const said = parseErrorBody(failure.body);
  return apiError(SERVICE, failure, said === undefined ? {} : { messages: [said.message], code: said.code, details: said.details });
}

/**
 * The control plane's `{ error: { code, message, details } }`, or undefined for any other body. Read without a schema
 * library, so a provider that only needs the error classes does not load one.
 */
function parseErrorBody(text: string): { code: string; message: string; details?: Record<string, unknown> } | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  const error = (body as { error?: unknown } | null)?.error as { code?: unknown; message?: unknown; details?: unknown } | undefined;
  if (typeof error?.code !== 'string' || typeof error.message !== 'string') return undefined;
  const details = typeof error.details === 'object' && error.details !== null && !Array.isArray(error.details) ? (error.details as Record<string, unknown>) : undefined;
  return { code: error.code, message: error.message, details };
}
