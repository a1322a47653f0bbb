/**
 * Typed errors of the Bitbucket client. Every error carries what a caller needs to decide and to
 * report (status, Bitbucket's own messages, the request id, method and URL) and never the
 * credentials: the URL is stripped of user info, and `cause` is never the raw axios error (whose
 * config holds the Authorization header) but a plain error with the network code only.
 */

export interface BitbucketErrorDetails {
  method: string;
  /** Request URL without user info; query strings never carry credentials in this client. */
  url: string;
  status?: number;
  messages?: string[];
  requestId?: string;
  cause?: Error;
}

export class BitbucketError extends Error {
  readonly status?: number;
  /** The `message` of each entry of Bitbucket's `errors[]` body (empty when there was none). */
  readonly messages: string[];
  /** Bitbucket's request id (`X-AREQUESTID`), to find the request in Bitbucket's logs. */
  readonly requestId?: string;
  readonly method: string;
  readonly url: string;
  override readonly cause?: Error;

  constructor(summary: string, details: BitbucketErrorDetails) {
    const messages = details.messages ?? [];
    const status = details.status === undefined ? '' : ` ${details.status}`;
    const said = messages.length > 0 ? `: ${messages.join('; ')}` : '';
    super(`Bitbucket ${details.method} ${details.url} failed${status} (${summary})${said}`);
    this.name = new.target.name;
    this.status = details.status;
    this.messages = messages;
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
      messages: this.messages,
      requestId: this.requestId,
      method: this.method,
      url: this.url,
      cause: this.cause === undefined ? undefined : { name: this.cause.name, message: this.cause.message },
    };
  }
}

/** 400: Bitbucket rejected the request's content (unknown webhook event, bad permission filter, …). */
export class BitbucketBadRequestError extends BitbucketError {}

/** 401: missing or invalid credentials — and, as Bitbucket does, missing permission on the object. */
export class BitbucketUnauthorizedError extends BitbucketError {}

/** 403: forbidden (for example the XSRF check, or an instance that answers 403 for permissions). */
export class BitbucketForbiddenError extends BitbucketError {}

/** 404: the project, repository, webhook or token does not exist (or is invisible to the caller). */
export class BitbucketNotFoundError extends BitbucketError {}

/** 409: the object already exists or was changed concurrently. */
export class BitbucketConflictError extends BitbucketError {}

/** 429: rate limited after the retry policy gave up (or Retry-After was longer than allowed). */
export class BitbucketRateLimitedError extends BitbucketError {
  /** How long Bitbucket asked to wait, when it said (Retry-After). */
  readonly retryAfterMs?: number;

  constructor(summary: string, details: BitbucketErrorDetails & { retryAfterMs?: number }) {
    super(summary, details);
    this.retryAfterMs = details.retryAfterMs;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), retryAfterMs: this.retryAfterMs };
  }
}

/** 5xx after the retry policy gave up. */
export class BitbucketServerError extends BitbucketError {}

/** Bitbucket could not be reached: refused, unknown host, reset, or no answer within the timeout. */
export class BitbucketConnectionError extends BitbucketError {
  /** The network error code (`ECONNREFUSED`, `ENOTFOUND`, `ETIMEDOUT`, …). */
  readonly code?: string;

  constructor(summary: string, details: BitbucketErrorDetails & { code?: string }) {
    super(summary, details);
    this.code = details.code;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), code: this.code };
  }
}

/** A response whose body did not match the expected shape; the message names the field path. */
export class BitbucketResponseParseError extends BitbucketError {
  /** Dotted paths of the fields that did not match, e.g. `values.3.events`. */
  readonly fieldPaths: string[];

  constructor(summary: string, details: BitbucketErrorDetails & { fieldPaths: string[] }) {
    super(summary, details);
    this.fieldPaths = details.fieldPaths;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), fieldPaths: this.fieldPaths };
  }
}

/**
 * A paged listing had more pages than the iterator's `maxPages` allows. Raised instead of silently
 * truncating, so a caller never mistakes a partial listing for a complete one.
 */
export class BitbucketPageLimitError extends BitbucketError {
  readonly maxPages: number;

  constructor(details: BitbucketErrorDetails & { maxPages: number }) {
    super(`more than ${details.maxPages} pages; raise maxPages or narrow the listing`, details);
    this.maxPages = details.maxPages;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), maxPages: this.maxPages };
  }
}

/** Any other unexpected status (1xx/3xx, or a 4xx Bitbucket does not document). */
export class BitbucketUnexpectedStatusError extends BitbucketError {}

/** Builds the error class that matches an HTTP status. */
export function errorForStatus(
  status: number,
  statusDetails: Omit<BitbucketErrorDetails, 'status'> & { retryAfterMs?: number },
): BitbucketError {
  const summary = statusSummary(status);
  const details = { ...statusDetails, status };
  switch (status) {
    case 400:
      return new BitbucketBadRequestError(summary, details);
    case 401:
      return new BitbucketUnauthorizedError(summary, details);
    case 403:
      return new BitbucketForbiddenError(summary, details);
    case 404:
      return new BitbucketNotFoundError(summary, details);
    case 409:
      return new BitbucketConflictError(summary, details);
    case 429:
      return new BitbucketRateLimitedError(summary, details);
    default:
      return status >= 500 && status <= 599
        ? new BitbucketServerError(summary, details)
        : new BitbucketUnexpectedStatusError(summary, details);
  }
}

function statusSummary(status: number): string {
  const names: Record<number, string> = {
    400: 'bad request',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'not found',
    409: 'conflict',
    429: 'rate limited',
  };
  return names[status] ?? (status >= 500 ? 'server error' : 'unexpected status');
}
