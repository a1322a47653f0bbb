import { bitbucketError } from '../../src/clients/bitbucket/errors';
import { listPages } from '../../src/clients/bitbucket/pages';
import { pageSchema } from '../../src/clients/bitbucket/schemas';
import { PagedList, type PageFetcher } from '../../src/clients/paging';
import { Transport, type JsonRequestSpec } from '../../src/clients/transport';
import { z } from 'zod';
import { ApiPageLimitError, ApiResponseParseError } from '../../src/clients/errors';

const pageLimit = (details: { method: string; url: string; maxPages: number }) =>
  bitbucketError({ kind: 'page-limit', summary: `more than ${details.maxPages} pages`, details, body: '' });

/** A server-side list of `total` numbers served `limit` at a time from a numeric cursor. */
function numbers(total: number, requests: Array<{ cursor: number | undefined; limit: number }> = []): PageFetcher<number, number> {
  return async (cursor, limit) => {
    requests.push({ cursor, limit });
    const start = cursor ?? 0;
    const items = Array.from({ length: Math.max(0, Math.min(limit, total - start)) }, (_, i) => start + i);
    return { items, next: start + items.length >= total ? null : start + items.length, method: 'GET', url: 'http://api.test/things' };
  };
}

describe('PagedList', () => {
  it('walks every page following the cursor', async () => {
    const requests: Array<{ cursor: number | undefined; limit: number }> = [];
    const items = await new PagedList(numbers(25, requests), pageLimit, { pageSize: 10 }).toArray();
    expect(items).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(requests).toEqual([
      { cursor: undefined, limit: 10 },
      { cursor: 10, limit: 10 },
      { cursor: 20, limit: 10 },
    ]);
  });

  it('stops quietly at maxItems and asks only for what it still needs', async () => {
    const requests: Array<{ cursor: number | undefined; limit: number }> = [];
    const items = await new PagedList(numbers(100, requests), pageLimit, { pageSize: 10, maxItems: 15 }).toArray();
    expect(items).toHaveLength(15);
    expect(requests.map((request) => request.limit)).toEqual([10, 5]);
  });

  it('fails with the API page-limit error instead of truncating when there are more pages than maxPages', async () => {
    const list = new PagedList(numbers(100), pageLimit, { pageSize: 10, maxPages: 3 });
    await expect(list.toArray()).rejects.toThrow(ApiPageLimitError);
    await expect(list.toArray()).rejects.toThrow('more than 3 pages');
    await expect(new PagedList(numbers(30), pageLimit, { pageSize: 10, maxPages: 3 }).toArray()).resolves.toHaveLength(30);
  });

  it('firstPage makes a single request and says whether more follow', async () => {
    const requests: Array<{ cursor: number | undefined; limit: number }> = [];
    expect(await new PagedList(numbers(100, requests), pageLimit, { pageSize: 1 }).firstPage()).toEqual({ items: [0], more: true });
    expect(requests).toHaveLength(1);
    expect(await new PagedList(numbers(1), pageLimit).firstPage()).toEqual({ items: [0], more: false });
  });

  it('hands its signal to every page request', async () => {
    const controller = new AbortController();
    const seen: Array<AbortSignal | undefined> = [];
    const fetcher: PageFetcher<number, number> = async (cursor, limit, signal) => {
      seen.push(signal);
      return numbers(3)(cursor, limit, signal);
    };
    await new PagedList(fetcher, pageLimit, { pageSize: 1, signal: controller.signal }).toArray();
    expect(seen).toEqual([controller.signal, controller.signal, controller.signal]);
  });

  it('rejects a non-positive page size by name', () => {
    expect(() => new PagedList(numbers(1), pageLimit, { pageSize: 0 })).toThrow('pageSize must be a positive integer');
  });
});

describe("Bitbucket's start/limit paging", () => {
  /** A transport whose every JSON call is answered by `answer` with the query it was sent. */
  function fakeTransport(answer: (query: Record<string, unknown>) => unknown) {
    const transport = new Transport({ baseUrl: 'http://bitbucket.test', authorization: () => '', requestIdHeaders: [], errors: bitbucketError, maxSockets: 1, timeoutMs: 1000, userAgent: 'test' });
    transport.json = (async (spec: JsonRequestSpec<unknown>) => ({
      data: (spec.schema as z.ZodType).parse(answer(spec.query ?? {})),
      status: 200,
      url: `http://bitbucket.test${spec.path}?start=${String(spec.query?.start)}`,
      headers: {},
    })) as typeof transport.json;
    return transport;
  }

  it('follows nextPageStart until the last page', async () => {
    const transport = fakeTransport((query) => {
      const start = query.start as number;
      const values = [start, start + 1].filter((value) => value < 5);
      return { values, isLastPage: start + 2 >= 5, nextPageStart: start + 2 };
    });
    expect(await listPages(transport, '/things', {}, pageSchema(z.number()), { pageSize: 2 }).toArray()).toEqual([0, 1, 2, 3, 4]);
  });

  it('refuses a page that is not the last but gives no forward nextPageStart', async () => {
    const stuck = fakeTransport((query) => ({ values: [query.start], isLastPage: false, nextPageStart: query.start }));
    const list = listPages(stuck, '/things', {}, pageSchema(z.number()));
    await expect(list.toArray()).rejects.toThrow(ApiResponseParseError);
    await expect(list.toArray()).rejects.toThrow('nextPageStart is 0');
  });
});
