/**
 * The errors of the API clients: one base, and one subclass per kind of failure, shared by every API (`service`
 * says whose error it is; `error instanceof BitbucketError` and `LiftgateApiError` test that). Every error carries what
 * a caller needs to decide and to report — what kind of failure it is, the HTTP status, what the server said, its
 * request id, the method and URL — and never credentials: URLs carry none (the clients refuse base URLs with user
 * info), and `cause` is never the raw axios error (whose config holds the Authorization header) but a plain error
 * with the network code only.
 */

/** What went wrong, whatever the API: the transport's retry policy decides on this, callers on the subclasses. */
export type FailureKind =
  | 'bad-request'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'unprocessable'
  | 'rate-limited'
  | 'server'
  | 'unexpected-status'
  | 'connection'
  | 'response-parse'
  | 'response-too-large'
  | 'page-limit';

export interface ApiErrorDetails {
  method: string;
  /** The request URL (the clients' base URLs never carry credentials). */
  url: string;
  status?: number;
  /** The server's id for the request, to find it in the server's logs. */
  requestId?: string;
  cause?: Error;
  /** rate-limited: how long the server asked to wait (Retry-After), when it said. */
  retryAfterMs?: number;
  /** connection: the network error code (`ECONNREFUSED`, `ENOTFOUND`, `ETIMEDOUT`, `ERR_CANCELED`, …). */
  networkCode?: string;
  /** response-parse: dotted paths of the fields that did not match, e.g. `values.3.events`. */
  fieldPaths?: string[];
  /** page-limit: the cap the listing went past. */
  maxPages?: number;
  /** response-too-large: the cap the body went past, in bytes. */
  maxBytes?: number;
  /** What the server said about the failure, for people (Bitbucket's `errors[].message`, the control plane's `error.message`). */
  messages?: string[];
  /** The server's machine-readable code (the control plane's `error.code`: `not_found`, `forbidden`, …). */
  code?: string;
  /** Structured context from the server (the control plane's `error.details`: the field, the space and role, …). */
  details?: Record<string, unknown>;
}

export abstract class ApiError extends Error {
  abstract readonly kind: FailureKind;
  /** Whose error: the API's name ("Bitbucket", "Liftgate"), also the first word of the message. */
  readonly service: string;
  readonly status?: number;
  readonly requestId?: string;
  readonly method: string;
  readonly url: string;
  override readonly cause?: Error;
  readonly retryAfterMs?: number;
  readonly networkCode?: string;
  readonly fieldPaths: string[];
  readonly maxPages?: number;
  readonly maxBytes?: number;
  readonly messages: string[];
  readonly code?: string;
  readonly details: Record<string, unknown>;

  /**
   * @param service the API's name
   * @param summary what kind of failure, in words ("not found", "no answer within 30000 ms")
   */
  constructor(service: string, summary: string, details: ApiErrorDetails) {
    const status = details.status === undefined ? '' : ` ${details.status}`;
    const messages = details.messages ?? [];
    super(`${service} ${details.method} ${details.url} failed${status} (${summary})${messages.length === 0 ? '' : `: ${messages.join('; ')}`}`);
    this.name = new.target.name;
    this.service = service;
    this.status = details.status;
    this.requestId = details.requestId;
    this.method = details.method;
    this.url = details.url;
    this.cause = details.cause;
    this.retryAfterMs = details.retryAfterMs;
    this.networkCode = details.networkCode;
    this.fieldPaths = details.fieldPaths ?? [];
    this.maxPages = details.maxPages;
    this.maxBytes = details.maxBytes;
    this.messages = messages;
    this.code = details.code;
    this.details = details.details ?? {};
  }

  /** What JSON.stringify shows: the same safe fields, so logs that serialise errors stay useful. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      service: this.service,
      message: this.message,
      status: this.status,
      messages: this.messages,
      code: this.code,
      details: this.details,
      requestId: this.requestId,
      method: this.method,
      url: this.url,
      retryAfterMs: this.retryAfterMs,
      networkCode: this.networkCode,
      fieldPaths: this.fieldPaths.length === 0 ? undefined : this.fieldPaths,
      maxPages: this.maxPages,
      maxBytes: this.maxBytes,
      cause: this.cause === undefined ? undefined : { name: this.cause.name, message: this.cause.message },
    };
  }
}

/** 400: the server rejected the request's content. */
export class ApiBadRequestError extends ApiError {
  readonly kind = 'bad-request';
}

/** 401: missing or invalid credentials (Bitbucket also answers it for a missing permission on the object). */
export class ApiUnauthorizedError extends ApiError {
  readonly kind = 'unauthorized';
}

/** 403: the credentials may not do this (`details` may say which role on which space). */
export class ApiForbiddenError extends ApiError {
  readonly kind = 'forbidden';
}

/** 404: the object does not exist, or the caller cannot see it (neither server tells which). */
export class ApiNotFoundError extends ApiError {
  readonly kind = 'not-found';
}

/** 409: conflicts with what exists, or was changed concurrently. */
export class ApiConflictError extends ApiError {
  readonly kind = 'conflict';
}

/** 422: a rule of the server refused the request (the control plane's domain rules). */
export class ApiUnprocessableError extends ApiError {
  readonly kind = 'unprocessable';
}

/** 429 after the retry policy gave up (or Retry-After was longer than allowed); `retryAfterMs` says how long was asked. */
export class ApiRateLimitedError extends ApiError {
  readonly kind = 'rate-limited';
}

/** 5xx after the retry policy gave up. */
export class ApiServerError extends ApiError {
  readonly kind = 'server';
}

/** Any other status (1xx/3xx, or a 4xx the API does not document). */
export class ApiUnexpectedStatusError extends ApiError {
  readonly kind = 'unexpected-status';
}

/** The server could not be reached: refused, unknown host, reset, no answer within the timeout, or cancelled; `networkCode` says which. */
export class ApiConnectionError extends ApiError {
  readonly kind = 'connection';
}

/** A 2xx body that did not match the expected shape; the message and `fieldPaths` name the fields. */
export class ApiResponseParseError extends ApiError {
  readonly kind = 'response-parse';
}

/** A body larger than the client reads (`maxBytes`). */
export class ApiResponseTooLargeError extends ApiError {
  readonly kind = 'response-too-large';
}

/**
 * A paged listing had more pages than its `maxPages` allows. Raised instead of silently truncating, so a caller
 * never mistakes a partial listing for a complete one.
 */
export class ApiPageLimitError extends ApiError {
  readonly kind = 'page-limit';
}

const CLASSES: Record<FailureKind, new (service: string, summary: string, details: ApiErrorDetails) => ApiError> = {
  'bad-request': ApiBadRequestError,
  unauthorized: ApiUnauthorizedError,
  forbidden: ApiForbiddenError,
  'not-found': ApiNotFoundError,
  conflict: ApiConflictError,
  unprocessable: ApiUnprocessableError,
  'rate-limited': ApiRateLimitedError,
  server: ApiServerError,
  'unexpected-status': ApiUnexpectedStatusError,
  connection: ApiConnectionError,
  'response-parse': ApiResponseParseError,
  'response-too-large': ApiResponseTooLargeError,
  'page-limit': ApiPageLimitError,
};

/** The error of `service` for a failure, with what the server said in its error body. */
export function apiError(service: string, failure: Failure, said: Pick<ApiErrorDetails, 'messages' | 'code' | 'details'> = {}): ApiError {
  return new CLASSES[failure.kind](service, failure.summary, { ...failure.details, ...said });
}

/** `value instanceof guard` for the errors of one API: what its client's `XxxError` names stand for. */
export function isErrorOf(service: string, value: unknown): value is ApiError {
  return value instanceof ApiError && value.service === service;
}

/** A failure the transport met, before an API's error factory turns it into that API's error class. */
export interface Failure {
  kind: FailureKind;
  /** What kind of failure, in words, for the message. */
  summary: string;
  details: ApiErrorDetails;
  /** The body of an error answer (for the API's own messages); empty when there was none. */
  body: string;
}

/** Turns a failure into an error of the API, with what the server said in the failure's body. */
export type ErrorFactory = (failure: Failure) => ApiError;

/** The kind of failure an HTTP error status is. */
export function kindOfStatus(status: number): FailureKind {
  switch (status) {
    case 400:
      return 'bad-request';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not-found';
    case 409:
      return 'conflict';
    case 422:
      return 'unprocessable';
    case 429:
      return 'rate-limited';
    default:
      return status >= 500 && status <= 599 ? 'server' : 'unexpected-status';
  }
}

/** The words an error message uses for a kind of status failure. */
export const STATUS_SUMMARIES: Partial<Record<FailureKind, string>> = {
  'bad-request': 'bad request',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  'not-found': 'not found',
  conflict: 'conflict',
  unprocessable: 'unprocessable',
  'rate-limited': 'rate limited',
  server: 'server error',
  'unexpected-status': 'unexpected status',
};
