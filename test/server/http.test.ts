import { connect, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app';
import { ensureRootAdminKey } from '../../src/server/auth/apiKeys';
import { openDatabase, type Database } from '../../src/server/store/database';

/**
 * The control plane's HTTP behaviour that no route decides: how long it waits for slow clients, and the headers
 * every answer carries.
 */
const TIMEOUTS = { headersMs: 1000, requestMs: 2000, idleMs: 4000 };

let db: Database;
let app: FastifyInstance;
let port: number;
let adminKey: string;
let integrationId: string;

beforeAll(async () => {
  db = await openDatabase({ dataDir: 'memory://' });
  app = await buildApp({
    db,
    publicUrl: 'https://liftgate.example.com',
    encryptionKey: Buffer.alloc(32, 5),
    verifyCredentials: async () => undefined,
    timeouts: TIMEOUTS,
  });
  const url = new URL(await app.listen({ host: '127.0.0.1', port: 0 }));
  port = Number(url.port);
  adminKey = ((await ensureRootAdminKey(db)) as { secret: string }).secret;
  const created = await api('POST', '/api/v1/integrations/bitbucket-datacenter', {
    name: 'Slow Bitbucket',
    apiHost: 'https://bitbucket.example.com',
    username: 'svc',
    accessToken: 'token',
  });
  integrationId = created.body.id;
}, 60_000);

afterAll(async () => {
  await app.close();
  await db.close();
});

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { authorization: `Bearer ${adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

/** Opens a connection, writes `start`, then one more byte every `everyMs` until the server closes it. */
function trickle(start: string, everyMs: number): { socket: Socket; closedAfterMs: Promise<number> } {
  const opened = Date.now();
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  // Read whatever the server answers (a 408), so its end of the connection is seen.
  socket.resume();
  if (start !== '') socket.write(start);
  const timer = setInterval(() => {
    if (!socket.destroyed) socket.write('x');
  }, everyMs);
  const closedAfterMs = new Promise<number>((resolve) =>
    socket.on('close', () => {
      clearInterval(timer);
      resolve(Date.now() - opened);
    }),
  );
  return { socket, closedAfterMs };
}

describe('slow clients', () => {
  it('closes connections that send a webhook body byte by byte once the request timeout is up', async () => {
    const head =
      `POST /webhooks/bitbucket-datacenter/${integrationId} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
      'X-Event-Key: repo:refs_changed\r\nContent-Length: 100000\r\n\r\n{';
    const slow = Array.from({ length: 20 }, () => trickle(head, 200));
    const closedAfter = await Promise.all(slow.map((connection) => connection.closedAfterMs));
    // The request timeout, plus Node's check interval and a margin for a loaded machine.
    for (const ms of closedAfter) expect(ms).toBeLessThan(TIMEOUTS.requestMs + 2500);
    expect(Math.min(...closedAfter)).toBeGreaterThanOrEqual(TIMEOUTS.requestMs - 100);
  }, 30_000);

  it('closes connections that never finish their headers once the header timeout is up', async () => {
    const slow = Array.from({ length: 5 }, () => trickle('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ', 200));
    for (const ms of await Promise.all(slow.map((connection) => connection.closedAfterMs))) {
      expect(ms).toBeLessThan(TIMEOUTS.headersMs + 2500);
    }
  }, 30_000);

  it('closes connections that send nothing once the header timeout is up, and still serves requests meanwhile', async () => {
    const silent = trickle('', 60_000);
    expect((await api('GET', '/api/v1/spaces')).status).toBe(200);
    expect(await silent.closedAfterMs).toBeLessThan(TIMEOUTS.headersMs + 2500);
  }, 30_000);

  it('closes a kept-alive connection that stays idle after its request once the idle timeout is up', async () => {
    const idle = trickle('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n', 60_000);
    const closedAfter = await idle.closedAfterMs;
    expect(closedAfter).toBeGreaterThanOrEqual(TIMEOUTS.idleMs - 100);
    expect(closedAfter).toBeLessThan(TIMEOUTS.idleMs + 2500);
  }, 30_000);
});

describe('headers on every answer', () => {
  it('tells caches not to keep API answers and browsers not to sniff them, errors included', async () => {
    const answers = [
      await api('GET', `/api/v1/integrations/bitbucket-datacenter/${integrationId}`),
      await api('GET', '/api/v1/spaces/no-such-space'),
      await api('GET', '/api/v1/no-such-route'),
      await fetch(`http://127.0.0.1:${port}/webhooks/bitbucket-datacenter/${integrationId}`, { method: 'POST', body: '{}' }),
      await fetch(`http://127.0.0.1:${port}/healthz`),
    ];
    for (const answer of answers) {
      expect([answer.status, answer.headers.get('cache-control'), answer.headers.get('x-content-type-options')]).toEqual([
        answer.status,
        'no-store',
        'nosniff',
      ]);
    }
  });
});
