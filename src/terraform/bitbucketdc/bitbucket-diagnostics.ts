/**
 * Turns the Bitbucket client's typed errors into diagnostics that say what failed and what to fix, in
 * the words of the Terraform user (which permission is missing on which object), never as a stack trace.
 */
import { BitbucketError } from '../../clients/bitbucket/errors';
import {
  ApiBadRequestError,
  ApiConnectionError,
  ApiForbiddenError,
  ApiNotFoundError,
  ApiRateLimitedError,
  ApiServerError,
  ApiUnauthorizedError,
} from '../../clients/errors';
import { errorDiagnostic, type AttributePath, type Diagnostic } from '../../plugin';

/** What the failed call was about, so the diagnostic can name it and the permission it needs. */
export interface BitbucketOperation {
  /** E.g. "create the webhook \"ci\" on repository PLAT/network". */
  readonly action: string;
  /** The object the permission applies to, e.g. "repository PLAT/network". */
  readonly target: string;
  /** The permission Bitbucket requires for the call, e.g. REPO_ADMIN. */
  readonly permission: string;
  /** Where a 404 points (the attribute naming the missing project or repository). */
  readonly notFoundPath?: AttributePath;
}

/** One error diagnostic for a failed Bitbucket call; anything that is not a BitbucketError is rethrown (a provider bug). */
export function bitbucketErrorDiagnostic(operation: BitbucketOperation, error: unknown): Diagnostic {
  if (!(error instanceof BitbucketError)) throw error;
  const said = error.messages.length > 0 ? `\n\nBitbucket said: ${error.messages.join('; ')}` : '';
  const request = `\n\nRequest: ${error.method} ${error.url}${error.requestId === undefined ? '' : ` (request id ${error.requestId})`}`;
  const summary = `Could not ${operation.action}`;
  if (error instanceof ApiUnauthorizedError) {
    // Bitbucket answers 401 both for bad credentials and for a missing permission on the object.
    return errorDiagnostic(
      summary,
      `Bitbucket answered 401: either the provider's credentials are invalid or expired, or they lack ${operation.permission} on ${operation.target}. ` +
        `Grant ${operation.permission} to the user (or use a token with that permission).${said}${request}`,
    );
  }
  if (error instanceof ApiForbiddenError) {
    return errorDiagnostic(summary, `Bitbucket answered 403 (forbidden): the credentials may not ${operation.action}; ${operation.permission} on ${operation.target} is required.${said}${request}`);
  }
  if (error instanceof ApiNotFoundError) {
    return errorDiagnostic(
      summary,
      `Bitbucket answered 404: ${operation.target} does not exist, or the credentials cannot see it.${said}${request}`,
      operation.notFoundPath,
    );
  }
  if (error instanceof ApiBadRequestError) {
    return errorDiagnostic(summary, `Bitbucket rejected the request (400).${said}${request}`);
  }
  if (error instanceof ApiRateLimitedError) {
    const wait = error.retryAfterMs === undefined ? '' : ` It asked to wait ${Math.ceil(error.retryAfterMs / 1000)} s.`;
    return errorDiagnostic(summary, `Bitbucket kept rate limiting the provider (429) after its retries.${wait} Run again later, or lower -parallelism.${request}`);
  }
  if (error instanceof ApiServerError) {
    return errorDiagnostic(summary, `Bitbucket kept failing with a server error (${error.status}) after the provider's retries.${said}${request}`);
  }
  if (error instanceof ApiConnectionError && error.networkCode === 'ERR_CANCELED') {
    return errorDiagnostic(summary, `Terraform asked the provider to stop before Bitbucket answered.${request}`);
  }
  if (error instanceof ApiConnectionError) {
    return errorDiagnostic(summary, `Bitbucket could not be reached${error.networkCode === undefined ? '' : ` (${error.networkCode})`}: check server_url and the network.${request}`);
  }
  return errorDiagnostic(summary, `${error.message}${request}`);
}
