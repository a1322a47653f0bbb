/**
 * The one HTTP transport both API clients share, against scripted servers on loopback: cancellation, the size caps
 * of JSON and streamed bodies, and the error base both clients' errors stand on.
 */
import { BitbucketClient } from '../../src/clients/bitbucket';
import { bitbucketError } from '../../src/clients/bitbucket/errors';
import { ApiError } from '../../src/clients/errors';
import { LiftgateClient } from '../../src/clients/liftgate';
import { liftgateError } from '../../src/clients/liftgate/errors';
import { Transport } from '../../src/clients/transport';
import { ManualClock } from '../helpers/clock';
import { closedPort, scriptedServer, sendJson, type ScriptedServer } from '../helpers/http';
import { ApiConnectionError, ApiRateLimitedError, ApiResponseTooLargeError, ApiServerError } from '../../src/clients/errors';

const project = { id: 1, key: 'PLAT', name: 'Platform' };

function transportTo(url: string, options: { maxJsonBytes?: number } = {}) {
  return new Transport({
    baseUrl: url,
    authorization: () => 'Bearer secret-token-0123',
    requestIdHeaders: ['x-request-id'],
    errors: bitbucketError,
    maxSockets: 2,
    timeoutMs: 5000,
    userAgent: 'transport-test',
    retry: { maxRetries: 0 },
    ...options,
  });
}

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('cancellation', () => {
  it('aborts a request in flight and does not retry it (Terraform stopping the provider)', async () => {
    const controller = new AbortController();
    server = await scriptedServer(() => controller.abort());
    const client = new BitbucketClient({ baseUrl: server.url, token: 't', retry: { maxRetries: 5, baseDelayMs: 1 } });
    const error = await client.projects.get('PLAT', { signal: controller.signal }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiConnectionError);
    expect(error).toMatchObject({ networkCode: 'ERR_CANCELED', message: expect.stringContaining('(cancelled)') });
    expect(server.requests).toHaveLength(1);
    client.close();
  });

  it('stops waiting for a retry once aborted and reports the last real failure', async () => {
    const controller = new AbortController();
    server = await scriptedServer((_request, response) => sendJson(response, 503, { errors: [{ message: 'maintenance' }] }));
    // A back-off of a minute: the test ends only because the abort cuts the wait short.
    const client = new BitbucketClient({
      baseUrl: server.url,
      token: 't',
      retry: { maxRetries: 3, baseDelayMs: 60_000, maxDelayMs: 60_000 },
      onRequest: (event) => {
        if (event.status === 503) setImmediate(() => controller.abort());
      },
    });
    const error = await client.projects.get('PLAT', { signal: controller.signal }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiServerError);
    expect((error as ApiServerError).messages).toEqual(['maintenance']);
    expect(server.requests).toHaveLength(1);
    client.close();
  });

  it('lets a listing be cancelled between pages', async () => {
    const controller = new AbortController();
    server = await scriptedServer((request, response) => {
      const start = Number(new URL(request.url, 'http://x').searchParams.get('start'));
      if (start > 0) controller.abort();
      sendJson(response, 200, { values: [{ ...project, id: start + 1 }], isLastPage: false, nextPageStart: start + 1 });
    });
    const client = new BitbucketClient({ baseUrl: server.url, token: 't', retry: { maxRetries: 0 } });
    const listing = client.projects.list({ pageSize: 1, signal: controller.signal }).toArray();
    await expect(listing).rejects.toMatchObject({ kind: 'connection', networkCode: 'ERR_CANCELED' });
    expect(server.requests.length).toBeLessThanOrEqual(2);
    client.close();
  });
});

describe('size caps', () => {
  it('refuses a JSON answer larger than the cap instead of reading it whole', async () => {
    server = await scriptedServer((_request, response) => sendJson(response, 200, { ...project, description: 'x'.repeat(10_000) }));
    const transport = transportTo(server.url, { maxJsonBytes: 1000 });
    const error = await transport.json({ method: 'GET', path: '/p', schema: null, retryMode: 'idempotent' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiResponseTooLargeError);
    expect(error).toMatchObject({ kind: 'response-too-large', maxBytes: 1000 });
    transport.close();
  });

  it('streams a body through without buffering it and fails once it passes the cap', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'a');
    server = await scriptedServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      for (let i = 0; i < 16; i += 1) response.write(chunk);
      response.end();
    });
    const transport = transportTo(server.url);
    const whole = await transport.stream({ method: 'GET', path: '/archive', retryMode: 'idempotent', maxBytes: 16 * chunk.length });
    let received = 0;
    for await (const part of whole.body) received += (part as Buffer).length;
    expect(received).toBe(16 * chunk.length);

    const capped = await transport.stream({ method: 'GET', path: '/archive', retryMode: 'idempotent', maxBytes: 3 * chunk.length });
    const failure = await (async () => {
      for await (const part of capped.body) received += (part as Buffer).length;
    })().catch((caught: unknown) => caught);
    expect(failure).toBeInstanceOf(ApiResponseTooLargeError);
    transport.close();
  });

  it('refuses a streamed body whose Content-Length is over the cap before reading it, and reads error answers as errors', async () => {
    server = await scriptedServer((request, response) => {
      if (request.url === '/missing') return sendJson(response, 404, { errors: [{ message: 'Commit abc does not exist.' }] });
      response.writeHead(200, { 'content-length': '1000000' });
      response.end(Buffer.alloc(1_000_000));
    });
    const transport = transportTo(server.url);
    await expect(transport.stream({ method: 'GET', path: '/big', retryMode: 'idempotent', maxBytes: 1000 })).rejects.toMatchObject({
      kind: 'response-too-large',
    });
    await expect(transport.stream({ method: 'GET', path: '/missing', retryMode: 'idempotent', maxBytes: 1000 })).rejects.toMatchObject({
      kind: 'not-found',
      messages: ['Commit abc does not exist.'],
    });
    transport.close();
  });
});

describe('one error base for both clients', () => {
  it('gives both the same fields, in their objects and in their JSON, and never the credentials', async () => {
    server = await scriptedServer((_request, response) =>
      sendJson(response, 429, { errors: [{ message: 'slow down' }], error: { code: 'too_many_requests', message: 'slow down' } }, { 'retry-after': '120', 'x-request-id': 'req-7' }),
    );
    const clock = new ManualClock();
    const bitbucket = new BitbucketClient({ baseUrl: server.url, token: 'bitbucket-secret', retry: { maxRetryAfterMs: 1000 }, clock });
    const liftgate = new LiftgateClient({ endpoint: server.url, apiKey: 'lgk_liftgate-secret', retry: { maxRetryAfterMs: 1000 }, clock });
    const errors = [
      await bitbucket.projects.get('PLAT').catch((caught: unknown) => caught),
      await liftgate.spaces.get('root').catch((caught: unknown) => caught),
    ];
    expect(errors[0]).toBeInstanceOf(ApiRateLimitedError);
    expect(errors[1]).toBeInstanceOf(ApiRateLimitedError);
    for (const error of errors) {
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({ kind: 'rate-limited', status: 429, retryAfterMs: 120_000, requestId: 'req-7' });
      const json = JSON.parse(JSON.stringify(error));
      expect(json).toMatchObject({ kind: 'rate-limited', status: 429, retryAfterMs: 120_000, requestId: 'req-7' });
      expect(JSON.stringify(error)).not.toMatch(/secret/);
    }
    expect(clock.sleeps).toEqual([]);
    bitbucket.close();
    liftgate.close();
  });

  it('names the network code networkCode in both', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const bitbucket = new BitbucketClient({ baseUrl: url, token: 't', retry: { maxRetries: 0 } });
    const liftgate = new LiftgateClient({ endpoint: url, apiKey: 'k', retry: { maxRetries: 0 } });
    for (const failed of [bitbucket.projects.get('P'), liftgate.stacks.list()]) {
      const error = await failed.catch((caught: unknown) => caught);
      expect(error).toMatchObject({ kind: 'connection', networkCode: 'ECONNREFUSED' });
      expect(JSON.parse(JSON.stringify(error))).toMatchObject({ networkCode: 'ECONNREFUSED' });
    }
    bitbucket.close();
    liftgate.close();
  });

  it('builds each client error class from the same failure', () => {
    const failure = { kind: 'server' as const, summary: 'server error', details: { method: 'GET', url: 'http://x/y', status: 502 }, body: '' };
    expect(bitbucketError(failure).message).toBe('Bitbucket GET http://x/y failed 502 (server error)');
    expect(liftgateError(failure).message).toBe('Liftgate GET http://x/y failed 502 (server error)');
  });
});
