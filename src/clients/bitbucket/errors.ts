/**
 * The Bitbucket client's errors: the clients' error classes (ApiNotFoundError, ApiRateLimitedError, …) with service
 * "Bitbucket" and Bitbucket's own `errors[].message` list as their messages.
 */
import { ApiError, apiError, isErrorOf, type Failure } from '../errors';

const SERVICE = 'Bitbucket';

/** `error instanceof BitbucketError`: any error of the Bitbucket client (never constructed itself). */
export abstract class BitbucketError extends ApiError {
  static override [Symbol.hasInstance](value: unknown): value is ApiError {
    return isErrorOf(SERVICE, value);
  }
}

/** The transport's failures as Bitbucket errors. Bitbucket does not answer 422: it counts as an undocumented status. */
export function bitbucketError(failure: Failure): ApiError {
  const kind = failure.kind === 'unprocessable' ? 'unexpected-status' : failure.kind;
  const summary = kind === failure.kind ? failure.summary : 'unexpected status';
  return apiError(SERVICE, { ...failure, kind, summary }, { messages: errorMessages(failure.body) });
}

/**
 * Bitbucket's `errors[].message` list (RestErrors); other bodies (the XSRF page is HTML) yield none. Read without a
 * schema library, so a provider that only needs the error classes does not load one.
 */
function errorMessages(text: string): string[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [];
  }
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.map((error) => (error as { message?: unknown } | null)?.message).filter((message): message is string => typeof message === 'string' && message !== '');
}
