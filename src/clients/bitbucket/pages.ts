import type { z } from 'zod';
import type { PagedList, PagingOptions } from '../paging';
import type { QueryValue, Transport } from '../transport';
import type { BitbucketPage } from './schemas';

/** The transport as the Bitbucket resources use it. */
export type BitbucketTransport = Transport;

/** Per-call options of every resource method that makes one request. */
export interface CallOptions {
  /** Cancels the request and any retry still to come (Terraform's StopProvider, Ctrl-C). */
  signal?: AbortSignal;
}

/**
 * A paged GET of Bitbucket's `start`/`limit`/`isLastPage`/`nextPageStart` paging as a bounded async iterator;
 * `start` and `limit` are added per page. A page that says it is not the last without a later `nextPageStart`
 * fails the listing instead of looping on it.
 */
export function listPages<T>(
  transport: BitbucketTransport,
  path: string,
  query: Record<string, QueryValue>,
  schema: z.ZodType<BitbucketPage<T>>,
  paging: PagingOptions = {},
): PagedList<T, number> {
  return transport.paged<T, number>(async (cursor, limit, signal) => {
    const start = cursor ?? 0;
    const { data, url } = await transport.json({ method: 'GET', path, query: { ...query, start, limit }, schema, retryMode: 'idempotent', signal });
    if (data.isLastPage) return { items: data.values, next: null, method: 'GET', url };
    const next = data.nextPageStart;
    if (typeof next !== 'number' || next <= start) {
      throw transport.error(
        'response-parse',
        `nextPageStart ${next === undefined || next === null ? 'is missing' : `is ${next}`} on a page that is not the last (start ${start})`,
        { method: 'GET', url, fieldPaths: ['nextPageStart'] },
      );
    }
    return { items: data.values, next, method: 'GET', url };
  }, paging);
}
