import type { ChangeFeed } from '../../../src/server/store/database';
import { ReadCache } from '../../../src/server/store/read-cache';

/** A change feed the test fires by hand, counting its subscribers. */
class ManualFeed implements ChangeFeed {
  readonly listeners = new Set<() => void>();
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  change(): void {
    for (const listener of this.listeners) listener();
  }
}

/** A load that counts its calls and answers `value()` at the time of the call. */
function counted<T>(value: () => T): { load: () => Promise<T>; calls: () => number } {
  let calls = 0;
  return {
    load: async () => {
      calls += 1;
      return value();
    },
    calls: () => calls,
  };
}

describe('ReadCache: reads kept until the store reports a change', () => {
  it('answers a key from memory after the first read', async () => {
    const cache = new ReadCache(new ManualFeed());
    const read = counted(() => ({ name: 'a' }));
    const first = await cache.get('a', read.load);
    expect(await cache.get('a', read.load)).toBe(first);
    expect(read.calls()).toBe(1);
  });

  it('reads the store again after any change, and keeps the new answer', async () => {
    const feed = new ManualFeed();
    const cache = new ReadCache(feed);
    let stored = 'before';
    const read = counted(() => stored);
    expect(await cache.get('a', read.load)).toBe('before');
    stored = 'after';
    feed.change();
    expect(cache.size).toBe(0);
    expect(await cache.get('a', read.load)).toBe('after');
    expect(await cache.get('a', read.load)).toBe('after');
    expect(read.calls()).toBe(2);
  });

  it('does not keep a read that was under way when a change came (it may predate the change)', async () => {
    const feed = new ManualFeed();
    const cache = new ReadCache(feed);
    let release: (value: string) => void = () => undefined;
    const slow = cache.get('a', () => new Promise<string>((resolve) => (release = resolve)));
    feed.change();
    release('old');
    expect(await slow).toBe('old');
    expect(cache.size).toBe(0);
    expect(await cache.get('a', async () => 'new')).toBe('new');
  });

  it('keeps nothing that `keep` refuses: a miss is read every time', async () => {
    const cache = new ReadCache(new ManualFeed());
    const read = counted(() => null);
    await cache.get('unknown', read.load, (value) => value !== null);
    await cache.get('unknown', read.load, (value) => value !== null);
    expect(read.calls()).toBe(2);
    expect(cache.size).toBe(0);
  });

  it('keeps at most maxEntries: the least recently used leaves first', async () => {
    const cache = new ReadCache(new ManualFeed(), 2);
    const reads = { a: counted(() => 'a'), b: counted(() => 'b'), c: counted(() => 'c') };
    await cache.get('a', reads.a.load);
    await cache.get('b', reads.b.load);
    await cache.get('a', reads.a.load); // a is now the most recently used
    await cache.get('c', reads.c.load); // b leaves
    expect(cache.size).toBe(2);
    await cache.get('a', reads.a.load);
    await cache.get('b', reads.b.load);
    expect([reads.a.calls(), reads.b.calls(), reads.c.calls()]).toEqual([1, 2, 1]);
  });

  it('keeps nothing without a change feed (a store shared with other replicas)', async () => {
    const cache = new ReadCache(null);
    const read = counted(() => 'a');
    await cache.get('a', read.load);
    await cache.get('a', read.load);
    expect(read.calls()).toBe(2);
    expect(cache.size).toBe(0);
  });

  it('stops listening when closed and keeps nothing from then on', async () => {
    const feed = new ManualFeed();
    const cache = new ReadCache(feed);
    await cache.get('a', async () => 'a');
    cache.close();
    expect(feed.listeners.size).toBe(0);
    expect(cache.size).toBe(0);
    const read = counted(() => 'a');
    await cache.get('a', read.load);
    await cache.get('a', read.load);
    expect(read.calls()).toBe(2);
  });

  it('shares one value per kind among reads made from the same text, and builds anew from another text', () => {
    const cache = new ReadCache(new ManualFeed());
    let builds = 0;
    const build = (text: string) => {
      builds += 1;
      return { parsed: JSON.parse(text) as unknown };
    };
    const first = cache.shared('space tree', '[["root",null,false]]', build);
    expect(cache.shared('space tree', '[["root",null,false]]', build)).toBe(first);
    const other = cache.shared('space tree', '[["root",null,false],["team","root",true]]', build);
    expect(other).not.toBe(first);
    expect(other.parsed).toEqual([['root', null, false], ['team', 'root', true]]);
    expect(cache.shared('another kind', '[["root",null,false]]', build)).not.toBe(first);
    expect(builds).toBe(3);
  });
});
