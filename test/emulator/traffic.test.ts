import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { FaultInjector, RateLimiter } from '../../src/emulator/traffic';
import { ManualClock } from '../helpers/clock';
import { call } from './http';

let emulator: RunningEmulator;
let clock: ManualClock;
const repo = '/rest/api/latest/projects/PRJ/repos/app';

beforeEach(async () => {
  clock = new ManualClock();
  emulator = await startEmulator({ port: 0, now: () => clock.now() });
  emulator.createProject('PRJ');
  emulator.createRepository('PRJ', 'app');
});

afterEach(() => emulator.close());

describe('rate limiting', () => {
  test('is off by default', async () => {
    const statuses = await Promise.all(Array.from({ length: 100 }, () => call(emulator, 'GET', repo).then((r) => r.status)));
    expect(new Set(statuses)).toEqual(new Set([200]));
  });

  test('a token bucket per user answers 429 with Retry-After once empty, and refills', async () => {
    const other = emulator.createUser({ name: 'other', projectPermissions: { PRJ: 'PROJECT_READ' } }).token;
    const switched = await call(emulator, 'POST', '/_emulator/rate-limit', { body: { capacity: 3, refillPerSecond: 2 } });
    expect(switched.body).toEqual({ enabled: true, capacity: 3, refillPerSecond: 2 });

    const statuses: number[] = [];
    for (let index = 0; index < 4; index += 1) statuses.push((await call(emulator, 'GET', repo)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await call(emulator, 'GET', repo);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.body).toMatchObject({ errors: [{ message: expect.stringContaining('rate limited') }] });
    // Another user has a bucket of their own.
    expect((await call(emulator, 'GET', repo, { token: other })).status).toBe(200);
    // Anonymous requests are not limited (Bitbucket limits Basic and Bearer requests only).
    expect((await call(emulator, 'GET', '/rest/api/latest/application-properties', { token: null })).status).toBe(200);
    // The /_emulator/ endpoints are never limited, so a test can always switch the limit off.
    expect((await call(emulator, 'GET', '/_emulator/rate-limit')).status).toBe(200);

    clock.advance(499);
    expect((await call(emulator, 'GET', repo)).status).toBe(429);
    clock.advance(1);
    expect((await call(emulator, 'GET', repo)).status).toBe(200);

    await call(emulator, 'POST', '/_emulator/rate-limit', { body: { enabled: false } });
    const after = await Promise.all(Array.from({ length: 20 }, () => call(emulator, 'GET', repo).then((r) => r.status)));
    expect(new Set(after)).toEqual(new Set([200]));
  });

  test('Retry-After counts the seconds until a token is back', () => {
    let now = 0;
    const limiter = new RateLimiter({ capacity: 1, refillPerSecond: 0.25 }, () => now);
    expect(limiter.take('u')).toBe(0);
    expect(limiter.take('u')).toBe(4);
    now = 2000;
    expect(limiter.take('u')).toBe(2);
    now = 4000;
    expect(limiter.take('u')).toBe(0);
  });

  test.each([
    [{ capacity: 0 }, /capacity/],
    [{ capacity: 'many' }, /capacity/],
    [{ refillPerSecond: -1 }, /refillPerSecond/],
    [[1, 2], /JSON object/],
  ])('bad settings %j are a 400', async (settings, message) => {
    const response = await call(emulator, 'POST', '/_emulator/rate-limit', { body: settings });
    expect(response.status).toBe(400);
    expect((response.body as { errors: Array<{ message: string }> }).errors[0]!.message).toMatch(message);
  });
});

describe('fault injection', () => {
  const hooks = `${repo}/webhooks`;
  const webhook = { name: 'w', url: 'http://127.0.0.1:9/', events: ['repo:refs_changed'] };

  test('is off by default and answers the configured 5xx for the configured share of requests', async () => {
    expect((await call(emulator, 'GET', '/_emulator/faults')).body).toEqual({ enabled: false });
    await call(emulator, 'POST', '/_emulator/faults', { body: { rate: 1, status: 502 } });
    const response = await call(emulator, 'GET', repo);
    expect(response.status).toBe(502);
    expect(response.body).toMatchObject({ errors: [{ message: expect.stringContaining('Injected fault') }] });

    await call(emulator, 'POST', '/_emulator/faults', { body: { rate: 0.2 } });
    const statuses = await Promise.all(Array.from({ length: 400 }, () => call(emulator, 'GET', repo).then((r) => r.status)));
    const failed = statuses.filter((status) => status === 500).length;
    // 400 draws at 20 %: the binomial 99.99 % interval is roughly 50–112.
    expect(failed).toBeGreaterThan(45);
    expect(failed).toBeLessThan(120);
    expect(statuses.filter((status) => status !== 500 && status !== 200)).toEqual([]);

    await call(emulator, 'POST', '/_emulator/faults', { body: { rate: 0 } });
    expect((await call(emulator, 'GET', repo)).status).toBe(200);
  });

  test('a fault before handling changes nothing; a fault after handling keeps the change but loses the answer', async () => {
    emulator.setFaults({ rate: 1, phase: 'before' });
    expect((await call(emulator, 'POST', hooks, { body: webhook })).status).toBe(500);
    expect(emulator.repositoryWebhooks('PRJ', 'app')).toHaveLength(0);

    emulator.setFaults({ rate: 1, phase: 'after', status: 503 });
    expect((await call(emulator, 'POST', hooks, { body: webhook })).status).toBe(503);
    expect(emulator.repositoryWebhooks('PRJ', 'app')).toHaveLength(1);
  });

  test('hanging requests get no answer until the client gives up, and close() still returns', async () => {
    emulator.setFaults({ rate: 1, hang: true });
    const started = Date.now();
    await expect(
      fetch(`${emulator.url}${repo}`, { headers: { Authorization: `Bearer ${emulator.adminToken}` }, signal: AbortSignal.timeout(300) }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    const pending = fetch(`${emulator.url}${repo}`, { headers: { Authorization: `Bearer ${emulator.adminToken}` } }).then(
      (response) => `answered ${response.status}`,
      (error: Error) => `failed: ${error.message}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await emulator.close();
    expect(await pending).toMatch(/^failed: /);
  });

  test('a hang after handling keeps the change and never answers', async () => {
    emulator.setFaults({ rate: 1, hang: true, phase: 'after' });
    await expect(
      fetch(`${emulator.url}${hooks}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${emulator.adminToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(webhook),
        signal: AbortSignal.timeout(300),
      }),
    ).rejects.toThrow();
    emulator.setFaults(null);
    expect(emulator.repositoryWebhooks('PRJ', 'app')).toHaveLength(1);
    expect((await call(emulator, 'GET', repo)).status).toBe(200);
  });

  test('the phase of `either` faults is chosen at random', () => {
    const draws = [0.1, 0.2, 0.1, 0.7, 0.9];
    const injector = new FaultInjector({ rate: 0.5, status: 500, hang: false, phase: 'either' }, () => draws.shift()!);
    expect([injector.decide(), injector.decide(), injector.decide()]).toEqual(['before', 'after', null]);
  });

  test.each([
    [{ rate: 2 }, /rate/],
    [{ rate: 0.5, status: 404 }, /5xx/],
    [{ rate: 0.5, phase: 'sometimes' }, /phase/],
    [{ rate: 0.5, hang: 'yes' }, /hang/],
    [{}, /rate/],
  ])('bad settings %j are a 400', async (settings, message) => {
    const response = await call(emulator, 'POST', '/_emulator/faults', { body: settings });
    expect(response.status).toBe(400);
    expect((response.body as { errors: Array<{ message: string }> }).errors[0]!.message).toMatch(message);
  });
});
