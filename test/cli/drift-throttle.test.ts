import { AdaptiveConcurrency } from '../../src/cli/drift/throttle';
import { BitbucketTokens } from '../../src/cli/drift/tokens';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

describe('AdaptiveConcurrency', () => {
  it('runs at most max tasks at once, in arrival order', async () => {
    const throttle = new AdaptiveConcurrency(3);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        throttle.run(async () => {
          order.push(index);
          running += 1;
          peak = Math.max(peak, running);
          await new Promise((resolve) => setTimeout(resolve, 1));
          running -= 1;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(order).toEqual([...Array(20).keys()]);
  });

  it('halves on a 429 once per cool-down and grows back by successes', () => {
    let now = 0;
    const throttle = new AdaptiveConcurrency(8, 1000, () => now);
    throttle.rateLimited();
    throttle.rateLimited();
    expect(throttle.capacity).toBe(4);
    now = 1500;
    throttle.rateLimited();
    expect(throttle.capacity).toBe(2);
    now = 3000;
    throttle.rateLimited();
    throttle.rateLimited();
    now = 5000;
    throttle.rateLimited();
    expect(throttle.capacity).toBe(1);
    // 1/limit per success: from 1 to 2 takes one success, from 7 to 8 seven.
    throttle.succeeded();
    expect(throttle.capacity).toBe(2);
    for (let i = 0; i < 5; i += 1) throttle.succeeded();
    expect(throttle.capacity).toBe(3);
    for (let i = 0; i < 100; i += 1) throttle.succeeded();
    expect(throttle.capacity).toBe(8);
  });

  it('lets no new task start while more than the lowered limit are in flight', async () => {
    const throttle = new AdaptiveConcurrency(4, 0);
    const gates = Array.from({ length: 6 }, deferred);
    const started: number[] = [];
    const tasks = gates.map((gate, index) =>
      throttle.run(async () => {
        started.push(index);
        await gate.promise;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2, 3]);
    throttle.rateLimited();
    throttle.rateLimited();
    expect(throttle.capacity).toBe(1);
    gates[0]!.resolve();
    gates[1]!.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2, 3]);
    gates[2]!.resolve();
    gates[3]!.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2, 3, 4]);
    gates[4]!.resolve();
    gates[5]!.resolve();
    await Promise.all(tasks);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('refuses a limit below 1', () => {
    expect(() => new AdaptiveConcurrency(0)).toThrow('concurrency must be an integer of at least 1, got 0');
  });
});

describe('BitbucketTokens', () => {
  it('uses a per-host token for its host and the general one elsewhere', () => {
    const tokens = BitbucketTokens.parse(['https://Bitbucket.example.com/=host-token', 'general'], 'from-env');
    expect(tokens.tokenFor('https://bitbucket.example.com')).toBe('host-token');
    expect(tokens.tokenFor('https://bitbucket.example.com:443/')).toBe('host-token');
    expect(tokens.tokenFor('https://other.example.com')).toBe('general');
  });

  it('falls back to BITBUCKET_TOKEN, and has none when nothing is given', () => {
    expect(BitbucketTokens.parse(['https://a.example.com=t'], 'from-env').tokenFor('https://b.example.com')).toBe('from-env');
    expect(BitbucketTokens.parse([], undefined).tokenFor('https://b.example.com')).toBeUndefined();
    expect(BitbucketTokens.parse([], '  ').tokenFor('https://b.example.com')).toBeUndefined();
  });

  it('keeps = inside a token and a context path in the host', () => {
    const tokens = BitbucketTokens.parse(['https://git.example.com/bitbucket=abc=='], undefined);
    expect(tokens.tokenFor('https://git.example.com/bitbucket')).toBe('abc==');
    expect(tokens.tokenFor('https://git.example.com')).toBeUndefined();
  });

  it('refuses empty, repeated and ambiguous values', () => {
    expect(() => BitbucketTokens.parse([''], undefined)).toThrow('--bitbucket-token must not be empty');
    expect(() => BitbucketTokens.parse(['https://a.example.com='], undefined)).toThrow('--bitbucket-token https://a.example.com= has an empty token');
    expect(() => BitbucketTokens.parse(['https://a.example.com=x', 'https://A.example.com/=y'], undefined)).toThrow('given twice');
    expect(() => BitbucketTokens.parse(['one', 'two'], undefined)).toThrow('--bitbucket-token without a host may be given once');
  });
});
