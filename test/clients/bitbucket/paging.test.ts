import { BitbucketPageLimitError, BitbucketResponseParseError } from '../../../src/clients/bitbucket/errors';
import { PagedList, collect, type PageFetcher } from '../../../src/clients/bitbucket/paging';

/** A server-side list of `total` numbers served in Bitbucket's paged envelope. */
function numbers(total: number, requests: Array<{ start: number; limit: number }> = []): PageFetcher<number> {
  return async (start, limit) => {
    requests.push({ start, limit });
    const values = Array.from({ length: Math.max(0, Math.min(limit, total - start)) }, (_, i) => start + i);
    const isLastPage = start + values.length >= total;
    return {
      page: { values, start, limit, size: values.length, isLastPage, ...(isLastPage ? {} : { nextPageStart: start + values.length }) },
      method: 'GET',
      url: 'http://bitbucket.test/rest/api/latest/things',
    };
  };
}

describe('PagedList', () => {
  it('walks every page following nextPageStart', async () => {
    const requests: Array<{ start: number; limit: number }> = [];
    const items = await new PagedList(numbers(25, requests), { pageSize: 10 }).toArray();
    expect(items).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(requests).toEqual([
      { start: 0, limit: 10 },
      { start: 10, limit: 10 },
      { start: 20, limit: 10 },
    ]);
  });

  it('stops quietly at maxItems and asks only for what it still needs', async () => {
    const requests: Array<{ start: number; limit: number }> = [];
    const items = await new PagedList(numbers(100, requests), { pageSize: 10, maxItems: 15 }).toArray();
    expect(items).toHaveLength(15);
    expect(requests.map((r) => r.limit)).toEqual([10, 5]);
  });

  it('fails with BitbucketPageLimitError instead of truncating when there are more pages than maxPages', async () => {
    const list = new PagedList(numbers(100, []), { pageSize: 10, maxPages: 3 });
    await expect(list.toArray()).rejects.toThrow(BitbucketPageLimitError);
    await expect(list.toArray()).rejects.toThrow('more than 3 pages');
    await expect(new PagedList(numbers(30, []), { pageSize: 10, maxPages: 3 }).toArray()).resolves.toHaveLength(30);
  });

  it('refuses a page that is not the last but gives no forward nextPageStart', async () => {
    const stuck: PageFetcher<number> = async (start) => ({
      page: { values: [start], isLastPage: false, nextPageStart: start },
      method: 'GET',
      url: 'http://bitbucket.test/x',
    });
    await expect(new PagedList(stuck).toArray()).rejects.toThrow(BitbucketResponseParseError);
    await expect(new PagedList(stuck).toArray()).rejects.toThrow('nextPageStart is 0');
  });

  it('firstPage makes a single request', async () => {
    const requests: Array<{ start: number; limit: number }> = [];
    const page = await new PagedList(numbers(100, requests), { pageSize: 1 }).firstPage();
    expect(page.values).toEqual([0]);
    expect(requests).toHaveLength(1);
  });

  it('collect fails once an iterable yields more than maxItems', async () => {
    await expect(collect(new PagedList(numbers(5)), 5)).resolves.toHaveLength(5);
    await expect(collect(new PagedList(numbers(6)), 5)).rejects.toThrow('more than 5 items');
  });

  it('rejects a non-positive page size by name', () => {
    expect(() => new PagedList(numbers(1), { pageSize: 0 })).toThrow('pageSize must be a positive integer');
  });
});
