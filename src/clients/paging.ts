import type { ApiErrorDetails } from './errors';

export interface PagingOptions {
  /** Items per request (the API may cap it at its own maximum). @default 100 */
  pageSize?: number;
  /** Stop quietly after this many items: the caller only wants the first N. @default unlimited */
  maxItems?: number;
  /**
   * Safety cap on requests: a listing with more pages fails with the API's page-limit error rather than running
   * unbounded or returning a silently truncated list. @default 1000
   */
  maxPages?: number;
  /** Cancels the listing: the request in flight and any still to come. */
  signal?: AbortSignal;
}

/** One page as an API answered it: its items, and where the next page starts (null: this was the last). */
export interface FetchedPage<T, Cursor> {
  items: T[];
  next: Cursor | null;
  /** Method and URL of the request, for error messages. */
  method: string;
  url: string;
}

/** Fetches the page that starts at `cursor` (undefined: the first), with at most `limit` items. */
export type PageFetcher<T, Cursor> = (cursor: Cursor | undefined, limit: number, signal: AbortSignal | undefined) => Promise<FetchedPage<T, Cursor>>;

/**
 * A bounded async iterator over a paged listing, whatever the API's paging (Bitbucket's start/limit, the control
 * plane's cursors). `for await (const item of list)` walks every item; `toArray()` collects them; `firstPage()`
 * makes one request (cheap checks such as "does this token admin any repository?").
 */
export class PagedList<T, Cursor = unknown> implements AsyncIterable<T> {
  private readonly pageSize: number;
  private readonly maxItems: number;
  private readonly maxPages: number;
  private readonly signal: AbortSignal | undefined;

  /** @param pageLimitError the API's error for a listing with more than `maxPages` pages */
  constructor(
    private readonly fetchPage: PageFetcher<T, Cursor>,
    private readonly pageLimitError: (details: ApiErrorDetails & { maxPages: number }) => Error,
    options: PagingOptions = {},
  ) {
    this.pageSize = positiveInteger('pageSize', options.pageSize ?? 100);
    this.maxItems = positiveInteger('maxItems', options.maxItems ?? Number.MAX_SAFE_INTEGER);
    this.maxPages = positiveInteger('maxPages', options.maxPages ?? 1000);
    this.signal = options.signal;
  }

  /** The items of the first page, and whether more follow. */
  async firstPage(): Promise<{ items: T[]; more: boolean }> {
    const { items, next } = await this.fetchPage(undefined, Math.min(this.pageSize, this.maxItems), this.signal);
    return { items: items.slice(0, this.maxItems), more: next !== null };
  }

  /** The items page by page; stops after `maxItems`, fails past `maxPages`. */
  async *pages(): AsyncGenerator<T[]> {
    let cursor: Cursor | undefined;
    let yielded = 0;
    for (let pageNumber = 1; ; pageNumber += 1) {
      const { items, next, method, url } = await this.fetchPage(cursor, Math.min(this.pageSize, this.maxItems - yielded), this.signal);
      const remaining = this.maxItems - yielded;
      const kept = items.length > remaining ? items.slice(0, remaining) : items;
      yielded += kept.length;
      yield kept;
      if (next === null || yielded >= this.maxItems) return;
      if (pageNumber >= this.maxPages) throw this.pageLimitError({ method, url, maxPages: this.maxPages });
      cursor = next;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for await (const page of this.pages()) yield* page;
  }

  /** Every item, collected page by page (no per-item async step, which matters for many small pages). */
  async toArray(): Promise<T[]> {
    const items: T[] = [];
    for await (const page of this.pages()) {
      for (const item of page) items.push(item);
    }
    return items;
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`${name} must be a positive integer, got ${value}`);
  return value;
}
