/**
 * Typed errors of the control-plane client. Each carries what a caller needs to decide and to report —
 * the HTTP status, the control plane's `error.code`, `error.message` and `error.details`, the method and
 * URL — and never the API key: `cause` is never the raw axios error (whose config holds the Authorization
 * header) but a plain error with the network code only.
 */

export interface LiftgateErrorDetails {
  method: string;
  url: string;
  status?: number;
  /** The control plane's machine-readable code (`not_found`, `forbidden`, `unprocessable`, …). */
  code?: string;
  /** The control plane's own message, for people. */
  apiMessage?: string;
  /** Structured context from the control plane (the field, the blocking objects, the space and role). */
  details?: Record<string, unknown>;
  requestId?: string;
  cause?: Error;
}

export class LiftgateApiError extends Error {
  readonly status?: number;
  readonly code?: string;
  /** What the control plane said (without the method/URL prefix of `message`). */
  readonly apiMessage?: string;
  readonly details: Record<string, unknown>;
  readonly requestId?: string;
  readonly method: string;
  readonly url: string;
  override readonly cause?: Error;

  constructor(summary: string, details: LiftgateErrorDetails) {
    const status = details.status === undefined ? '' : ` ${details.status}`;
    const said = details.apiMessage === undefined ? '' : `: ${details.apiMessage}`;
    super(`Liftgate ${details.method} ${details.url} failed${status} (${summary})${said}`);
    this.name = new.target.name;
    this.status = details.status;
    this.code = details.code;
    this.apiMessage = details.apiMessage;
    this.details = details.details ?? {};
    this.requestId = details.requestId;
    this.method = details.method;
    this.url = details.url;
    this.cause = details.cause;
  }

  /** What JSON.stringify shows: the same safe fields, so logs that serialise errors stay useful. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      status: this.status,
      code: this.code,
      apiMessage: this.apiMessage,
      details: this.details,
      requestId: this.requestId,
      method: this.method,
      url: this.url,
      cause: this.cause === undefined ? undefined : { name: this.cause.name, message: this.cause.message },
    };
  }
}

/** 400: the request did not match the API's schema (`details.issues` lists the fields). */
export class LiftgateBadRequestError extends LiftgateApiError {}

/** 401: no API key, or not a valid one. */
export class LiftgateUnauthorizedError extends LiftgateApiError {}

/** 403: the key can see the object but lacks the role (`details.spaceId`, `details.role`). */
export class LiftgateForbiddenError extends LiftgateApiError {}

/** 404: the object does not exist, or the key cannot read it (the control plane does not tell which). */
export class LiftgateNotFoundError extends LiftgateApiError {}

/** 409: conflicts with what exists (duplicate name, second default integration, non-empty space). */
export class LiftgateConflictError extends LiftgateApiError {}

/** 422: a domain rule refused the request (immutable field, unusable integration, failed credential check). */
export class LiftgateUnprocessableError extends LiftgateApiError {}

/** 429 after the retry policy gave up (or Retry-After was longer than allowed). */
export class LiftgateRateLimitedError extends LiftgateApiError {
  readonly retryAfterMs?: number;

  constructor(summary: string, details: LiftgateErrorDetails & { retryAfterMs?: number }) {
    super(summary, details);
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** 5xx after the retry policy gave up. */
export class LiftgateServerError extends LiftgateApiError {}

/** The control plane could not be reached: refused, unknown host, reset, or no answer within the timeout. */
export class LiftgateConnectionError extends LiftgateApiError {
  readonly networkCode?: string;

  constructor(summary: string, details: LiftgateErrorDetails & { networkCode?: string }) {
    super(summary, details);
    this.networkCode = details.networkCode;
  }
}

/** A 2xx body that did not match the expected shape; the message names the field paths. */
export class LiftgateResponseParseError extends LiftgateApiError {}

/** Any other status (1xx/3xx, or a 4xx the API does not document). */
export class LiftgateUnexpectedStatusError extends LiftgateApiError {}

/** Builds the error class that matches an HTTP status. */
export function errorForStatus(status: number, details: Omit<LiftgateErrorDetails, 'status'> & { retryAfterMs?: number }): LiftgateApiError {
  const withStatus = { ...details, status };
  switch (status) {
    case 400:
      return new LiftgateBadRequestError('bad request', withStatus);
    case 401:
      return new LiftgateUnauthorizedError('unauthorized', withStatus);
    case 403:
      return new LiftgateForbiddenError('forbidden', withStatus);
    case 404:
      return new LiftgateNotFoundError('not found', withStatus);
    case 409:
      return new LiftgateConflictError('conflict', withStatus);
    case 422:
      return new LiftgateUnprocessableError('unprocessable', withStatus);
    case 429:
      return new LiftgateRateLimitedError('rate limited', withStatus);
    default:
      return status >= 500 && status <= 599
        ? new LiftgateServerError('server error', withStatus)
        : new LiftgateUnexpectedStatusError('unexpected status', withStatus);
  }
}
