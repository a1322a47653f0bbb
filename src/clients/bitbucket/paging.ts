import { BitbucketPageLimitError, BitbucketResponseParseError } from './errors';
import type { BitbucketPage } from './schemas';

export interface PagingOptions {
  /** Items per request (Bitbucket's `limit`; it caps this at its own maximum, usually 1000). @default 100 */
  pageSize?: number;
  /** Stop quietly after this many items: the caller only wants the first N. @default unlimited */
  maxItems?: number;
  /**
   * Safety cap on requests: a listing with more pages fails with BitbucketPageLimitError rather than
   * running unbounded or returning a silently truncated list. @default 1000
   */
  maxPages?: number;
}

/** Fetches the page that starts at `start`; also returns method and URL for error messages. */
export type PageFetcher<T> = (start: number, limit: number) => Promise<{ page: BitbucketPage<T>; method: string; url: string }>;

/**
 * A bounded async iterator over Bitbucket's `start`/`limit`/`isLastPage`/`nextPageStart` paging.
 * `for await (const repo of list)` walks every item; `toArray()` collects them; `firstPage()`
 * makes one request (cheap checks such as "does this token admin any repository?").
 */
export class PagedList<T> implements AsyncIterable<T> {
  private readonly pageSize: number;
  private readonly maxItems: number;
  private readonly maxPages: number;

  constructor(
    private readonly fetchPage: PageFetcher<T>,
    options: PagingOptions = {},
  ) {
    this.pageSize = positiveInteger('pageSize', options.pageSize ?? 100);
    this.maxItems = positiveInteger('maxItems', options.maxItems ?? Number.MAX_SAFE_INTEGER);
    this.maxPages = positiveInteger('maxPages', options.maxPages ?? 1000);
  }

  async firstPage(): Promise<BitbucketPage<T>> {
    const { page } = await this.fetchPage(0, Math.min(this.pageSize, this.maxItems));
    return page;
  }

  async *pages(): AsyncGenerator<BitbucketPage<T>> {
    let start = 0;
    let yielded = 0;
    for (let pageNumber = 1; ; pageNumber += 1) {
      const { page, method, url } = await this.fetchPage(start, Math.min(this.pageSize, this.maxItems - yielded));
      const remaining = this.maxItems - yielded;
      const values = page.values.length > remaining ? page.values.slice(0, remaining) : page.values;
      yielded += values.length;
      yield values === page.values ? page : { ...page, values };
      if (page.isLastPage || yielded >= this.maxItems) return;
      const next = page.nextPageStart;
      // A server that says "not last" without a forward nextPageStart would loop forever.
      if (typeof next !== 'number' || next <= start) {
        throw new BitbucketResponseParseError(
          `nextPageStart ${next === undefined ? 'is missing' : `is ${next}`} on a page that is not the last (start ${start})`,
          { method, url, fieldPaths: ['nextPageStart'] },
        );
      }
      if (pageNumber >= this.maxPages) throw new BitbucketPageLimitError({ method, url, maxPages: this.maxPages });
      start = next;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for await (const page of this.pages()) yield* page.values;
  }

  /** Every item, collected page by page (no per-item async step, which matters for many small pages). */
  async toArray(): Promise<T[]> {
    const items: T[] = [];
    for await (const page of this.pages()) {
      for (const item of page.values) items.push(item);
    }
    return items;
  }
}

/** Collects an async iterable into an array, failing once it yields more than `maxItems`. */
export async function collect<T>(items: AsyncIterable<T>, maxItems: number = Number.MAX_SAFE_INTEGER): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) {
    if (out.length >= maxItems) throw new RangeError(`more than ${maxItems} items; narrow the listing or raise maxItems`);
    out.push(item);
  }
  return out;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`${name} must be a positive integer, got ${value}`);
  return value;
}
