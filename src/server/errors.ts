/**
 * Typed domain errors. Routes and domain code throw these; the app's one error handler turns each into its
 * HTTP status and the `{ error: { code, message, details? } }` body.
 */
export abstract class DomainError extends Error {
  abstract readonly statusCode: number;
  abstract readonly code: string;
  constructor(
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** 400: the request cannot be understood (malformed JSON, wrong shape). */
export class BadRequestError extends DomainError {
  override readonly name = 'BadRequestError';
  readonly statusCode = 400;
  readonly code = 'bad_request';
}

/** 401: no API key, or not a valid one. */
export class UnauthorizedError extends DomainError {
  override readonly name = 'UnauthorizedError';
  readonly statusCode = 401;
  readonly code = 'unauthorized';
}

/** 403: a valid key that lacks the role the operation needs on an object it can read. */
export class ForbiddenError extends DomainError {
  override readonly name = 'ForbiddenError';
  readonly statusCode = 403;
  readonly code = 'forbidden';
}

/** 404: the object does not exist, or the caller cannot read it (the two are indistinguishable on purpose). */
export class NotFoundError extends DomainError {
  override readonly name = 'NotFoundError';
  readonly statusCode = 404;
  readonly code = 'not_found';
}

/** 409: the request conflicts with the current state (non-empty space, second default, detached stack, ...). */
export class ConflictError extends DomainError {
  override readonly name = 'ConflictError';
  readonly statusCode = 409;
  readonly code = 'conflict';
}

/** 413: the request body is larger than allowed. */
export class PayloadTooLargeError extends DomainError {
  override readonly name = 'PayloadTooLargeError';
  readonly statusCode = 413;
  readonly code = 'payload_too_large';
}

/**
 * 422: well-formed but not acceptable (an immutable field changed, an integration the stack may not use,
 * credentials Bitbucket rejected). `details.field` names the offending field when there is one.
 */
export class UnprocessableError extends DomainError {
  override readonly name = 'UnprocessableError';
  readonly statusCode = 422;
  readonly code = 'unprocessable';
}

/** 502: a service the control plane called for the request (an integration's Bitbucket) refused or could not be reached. */
export class BadGatewayError extends DomainError {
  override readonly name = 'BadGatewayError';
  readonly statusCode = 502;
  readonly code = 'bad_gateway';
}
