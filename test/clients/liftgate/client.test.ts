/**
 * The control-plane client against a scripted HTTP server on loopback: answers are parsed with zod, failures
 * become typed errors carrying the control plane's code, message and details (never the API key), and the
 * retry policy repeats only what is safe to repeat.
 */
import type { ServerResponse } from 'node:http';
import {
  ApiConflictError,
  ApiConnectionError,
  ApiForbiddenError,
  ApiNotFoundError,
  ApiRateLimitedError,
  ApiResponseParseError,
  ApiServerError,
  ApiUnprocessableError,
} from '../../../src/clients/errors';
import { LiftgateClient } from '../../../src/clients/liftgate';
import { ManualClock } from '../../helpers/clock';
import { closedPort, scriptedServer, sendJson as json, type RecordedRequest, type ScriptedServer } from '../../helpers/http';

const apiKey = 'lgk_secret-key-that-must-never-leak-0123456789';

type Handler = (request: RecordedRequest, response: ServerResponse) => void;

const space = { id: 'team-a-1a2b3c', name: 'team-a', parentSpaceId: 'root', inheritEntities: false, description: '', labels: ['x'], createdAt: 't', updatedAt: 't' };

function errorBody(code: string, message: string, details?: Record<string, unknown>) {
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}

describe('LiftgateClient', () => {
  let server: ScriptedServer;
  let endpoint: string;
  let answers: Handler[];
  /** The requests of the current test. */
  let seen: RecordedRequest[];
  const client = (retry = { baseDelayMs: 1, maxDelayMs: 5 }) => new LiftgateClient({ endpoint, apiKey, retry });

  beforeAll(async () => {
    server = await scriptedServer((request, response) => {
      seen.push(request);
      const handler = answers.shift();
      if (handler === undefined) json(response, 500, errorBody('internal', 'no scripted answer left'));
      else handler(request, response);
    });
    endpoint = `${server.url}/`;
  });

  afterAll(() => server.close());

  beforeEach(() => {
    answers = [];
    seen = [];
  });

  test('sends the key as a Bearer token and parses the answer, dropping fields it does not know', async () => {
    answers.push((_, response) => json(response, 201, { ...space, somethingNew: 1 }));
    const api = client();
    const created = await api.spaces.create({ name: 'team-a', labels: ['x'] });
    expect(created).toEqual({ id: 'team-a-1a2b3c', name: 'team-a', parentSpaceId: 'root', inheritEntities: false, description: '', labels: ['x'] });
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/api/v1/spaces', headers: { authorization: `Bearer ${apiKey}` } });
    expect(JSON.parse(seen[0]?.body as string)).toEqual({ name: 'team-a', labels: ['x'] });
    api.close();
  });

  test('lists stacks filtered by integration and encodes path segments', async () => {
    answers.push((_, response) => json(response, 200, []));
    answers.push((_, response) => json(response, 204, undefined));
    const api = client();
    expect(await api.stacks.list({ integrationId: 'bb team' })).toEqual([]);
    await api.stacks.delete('a/b');
    expect(seen.map((entry) => entry.url)).toEqual(['/api/v1/stacks?integrationId=bb+team', '/api/v1/stacks/a%2Fb']);
    api.close();
  });

  test('paged listings answer their items and the X-Next-Cursor of the next page (null on the last)', async () => {
    const delivery = {
      id: 'd-2',
      integrationId: 'bb',
      requestId: 'r-2',
      eventKey: 'repo:refs_changed',
      repository: { projectKey: 'PLAT', repositorySlug: 'network' },
      outcome: 'REJECTED',
      statusCode: 401,
      reason: 'signature mismatch',
      runIds: [],
      receivedAt: '2026-11-26T12:00:00.000Z',
      count: 3,
      lastReceivedAt: '2026-11-26T12:00:05.000Z',
    };
    const run = { id: 'run-1', stackId: 's', kind: 'TRACKED', state: 'QUEUED', trigger: 'manual', branch: 'main', commit: null, pullRequestId: null, deliveryId: null, triggeredBy: 'key-1', createdAt: 't' };
    answers.push((_, response) => json(response, 200, [delivery], { 'x-next-cursor': '41' }));
    answers.push((_, response) => json(response, 200, []));
    answers.push((_, response) => json(response, 200, [run]));
    answers.push((_, response) => json(response, 201, run));
    const api = client();
    expect(await api.integrations.deliveries('bb', { pageSize: 1 }).toArray()).toEqual([delivery]);
    expect(await api.stacks.runs('s').toArray()).toEqual([run]);
    expect(await api.stacks.triggerRun('s')).toEqual(run);
    expect(seen.map((entry) => `${entry.method} ${entry.url}`)).toEqual([
      'GET /api/v1/integrations/bitbucket-datacenter/bb/deliveries?limit=1',
      'GET /api/v1/integrations/bitbucket-datacenter/bb/deliveries?limit=1&cursor=41',
      'GET /api/v1/stacks/s/runs?limit=100',
      'POST /api/v1/stacks/s/runs',
    ]);
    api.close();
  });

  test('a delivery log entry from a control plane without aggregated refusals counts as one delivery', async () => {
    const entry = {
      id: 'd-1',
      integrationId: 'bb',
      requestId: null,
      eventKey: null,
      repository: null,
      outcome: 'REJECTED',
      statusCode: 401,
      reason: 'missing X-Hub-Signature header',
      runIds: [],
      receivedAt: '2026-11-26T12:00:00.000Z',
    };
    answers.push((_, response) => json(response, 200, [entry]));
    expect(await client().integrations.deliveries('bb').toArray()).toEqual([{ ...entry, count: 1 }]);
  });

  test('a 403 is an ApiForbiddenError with the control plane\'s code, message and details, and no API key anywhere', async () => {
    const details = { spaceId: 'team-a-1a2b3c', role: 'write', apiKeyId: 'key-1', apiKeyName: 'reader' };
    answers.push((_, response) => json(response, 403, errorBody('forbidden', 'stack "s" needs the write role on space "team-a-1a2b3c"', details)));
    const api = client();
    const error = await api.stacks.update('s', { name: 'x' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiForbiddenError);
    expect(error).toMatchObject({ status: 403, code: 'forbidden', details, method: 'PATCH' });
    expect((error as Error).message).toContain('needs the write role');
    const everything = `${(error as Error).message} ${(error as Error).stack} ${JSON.stringify(error)}`;
    expect(everything).not.toContain(apiKey);
    expect(seen).toHaveLength(1);
    api.close();
  });

  test.each([
    [404, 'ApiNotFoundError', ApiNotFoundError, 'not_found'],
    [409, 'ApiConflictError', ApiConflictError, 'conflict'],
    [422, 'ApiUnprocessableError', ApiUnprocessableError, 'unprocessable'],
  ])('a %i is never retried and becomes %s', async (status, _name, type, code) => {
    answers.push((_, response) => json(response, status, errorBody(code, 'refused', { field: 'vcs.integrationId' })));
    const api = client();
    const error = await api.integrations.get('bb').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ status, code, messages: ['refused'], details: { field: 'vcs.integrationId' } });
    expect(seen).toHaveLength(1);
    api.close();
  });

  test('a GET is retried after 5xx and succeeds; a POST is not retried after a 5xx (it may have been carried out)', async () => {
    answers.push((_, response) => json(response, 503, errorBody('unavailable', 'busy')));
    answers.push((_, response) => json(response, 502, errorBody('bad_gateway', 'busy')));
    answers.push((_, response) => json(response, 200, space));
    const api = client();
    expect((await api.spaces.get('team-a-1a2b3c')).id).toBe('team-a-1a2b3c');
    expect(seen).toHaveLength(3);

    seen = [];
    answers.push((_, response) => json(response, 500, errorBody('internal', 'boom')));
    await expect(api.spaces.create({ name: 'x' })).rejects.toBeInstanceOf(ApiServerError);
    expect(seen).toHaveLength(1);
    api.close();
  });

  test('a 429 is retried after Retry-After, even for a create; a Retry-After above the limit fails at once', async () => {
    answers.push((_, response) => json(response, 429, errorBody('rate_limited', 'slow down'), { 'retry-after': '3' }));
    answers.push((_, response) => json(response, 201, space));
    const clock = new ManualClock();
    const api = new LiftgateClient({ endpoint, apiKey, retry: { maxRetryAfterMs: 60_000 }, clock });
    expect((await api.spaces.create({ name: 'team-a' })).id).toBe(space.id);
    expect(seen).toHaveLength(2);
    // Retry-After: 3 (seconds), plus up to a quarter more so clients refused together do not come back together.
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(3000);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(3750);

    seen = [];
    answers.push((_, response) => json(response, 429, errorBody('rate_limited', 'slow down'), { 'retry-after': '120' }));
    const error = await api.spaces.create({ name: 'team-a' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiRateLimitedError);
    expect(error).toMatchObject({ retryAfterMs: 120_000 });
    expect(seen).toHaveLength(1);
    expect(clock.sleeps).toHaveLength(1);
    api.close();
  });

  test('a DELETE whose first answer was lost and whose retry finds nothing counts as done', async () => {
    answers.push((_, response) => response.destroy());
    answers.push((_, response) => json(response, 404, errorBody('not_found', 'integration "bb" not found')));
    const api = client();
    expect(await api.integrations.delete('bb')).toBeNull();
    expect(seen).toHaveLength(2);
    api.close();
  });

  test('the integration delete answer names the detached stacks', async () => {
    answers.push((_, response) => json(response, 200, { id: 'bb', detachedStacks: [{ id: 's-1', name: 'app' }] }));
    const api = client();
    expect(await api.integrations.delete('bb')).toEqual({ id: 'bb', detachedStacks: [{ id: 's-1', name: 'app' }] });
    api.close();
  });

  test('an answer of the wrong shape is an ApiResponseParseError naming the field', async () => {
    answers.push((_, response) => json(response, 200, { ...space, labels: 'not-a-list' }));
    const api = client();
    const error = await api.spaces.get('x').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiResponseParseError);
    expect((error as Error).message).toContain('labels');
    api.close();
  });

  test('an endpoint nobody listens on is an ApiConnectionError after the retries, without the key', async () => {
    const api = new LiftgateClient({ endpoint: `http://127.0.0.1:${await closedPort()}`, apiKey, retry: { maxRetries: 2, baseDelayMs: 1 } });
    const error = await api.spaces.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiConnectionError);
    expect(error).toMatchObject({ networkCode: 'ECONNREFUSED' });
    expect(JSON.stringify(error)).not.toContain(apiKey);
    api.close();
  });

  test('an aborted signal ends the call during its retry back-off instead of waiting the retries out', async () => {
    for (let index = 0; index < 5; index += 1) answers.push((_, response) => json(response, 503, errorBody('unavailable', 'busy')));
    const controller = new AbortController();
    // The caller gives up while the client waits to retry: the wait ends with the abort, and nothing is sent again.
    const clock = {
      now: () => Date.now(),
      sleep: (_ms: number, signal?: AbortSignal) =>
        new Promise<void>((resolve) => {
          signal?.addEventListener('abort', () => resolve(), { once: true });
          controller.abort();
        }),
    };
    const api = new LiftgateClient({ endpoint, apiKey, retry: { maxRetries: 4 }, clock });
    await expect(api.stacks.get('s', { signal: controller.signal })).rejects.toBeInstanceOf(ApiServerError);
    expect(seen).toHaveLength(1);
    api.close();
  });

  test('refuses endpoints that are not http(s) URLs or that carry credentials, and an empty key', () => {
    expect(() => new LiftgateClient({ endpoint: 'ftp://x', apiKey })).toThrow('endpoint must use http or https');
    expect(() => new LiftgateClient({ endpoint: 'http://u:p@x', apiKey })).toThrow('must not contain credentials');
    expect(() => new LiftgateClient({ endpoint: 'http://x', apiKey: ' ' })).toThrow('apiKey must not be empty');
  });
});
