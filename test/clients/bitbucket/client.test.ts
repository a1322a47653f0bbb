import { inspect } from 'node:util';
import {
  BitbucketClient,
  BitbucketError,
  type BitbucketClientOptions,
  type BitbucketRequestEvent,
} from '../../../src/clients/bitbucket';
import { startEmulator, type RunningEmulator } from '../../../src/emulator';
import { ManualClock } from '../../helpers/clock';
import { closedPort, scriptedServer, type RecordedRequest, type ScriptedServer } from '../../helpers/http';
import { ApiBadRequestError, ApiConflictError, ApiConnectionError, ApiForbiddenError, ApiNotFoundError, ApiPageLimitError, ApiRateLimitedError, ApiResponseParseError, ApiServerError, ApiUnauthorizedError } from '../../../src/clients/errors';

/**
 * Client tests run against the real emulator over HTTP on loopback; nothing is mocked. Rate limits refill by a clock
 * the tests move: the clients that wait them out sleep on it, so no test waits for real seconds.
 */
let emulator: RunningEmulator;
const clock = new ManualClock();

/** Fast retries so the failure tests stay quick; each test that needs other settings says so. */
function clientFor(options: Partial<BitbucketClientOptions> = {}): BitbucketClient {
  return new BitbucketClient({
    baseUrl: emulator.url,
    token: emulator.adminToken,
    retry: { baseDelayMs: 5, maxDelayMs: 40 },
    ...options,
  } as BitbucketClientOptions);
}

async function expectRejection<T extends BitbucketError>(promise: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(type);
  return error as T;
}

/**
 * A server on loopback answering every request with one fixed response. Only for answers the faithful emulator never
 * gives this client (the XSRF 403 needs a request without X-Atlassian-Token, which the client never sends; a body that
 * breaks the schema; a server that is not Bitbucket).
 */
function fixedResponseServer(status: number, contentType: string, body: string): Promise<ScriptedServer> {
  return scriptedServer((_request, response) => {
    response.writeHead(status, { 'Content-Type': contentType, 'X-AREQUESTID': '@FIXED' });
    response.end(body);
  });
}

/**
 * A server on loopback that records what arrives (headers the emulator does not report back); each answer is delayed
 * so concurrent requests overlap and the server's peak of requests in flight shows the client's limit.
 */
function recordingServer(answer: (request: RecordedRequest) => { status: number; body?: unknown }): Promise<ScriptedServer> {
  return scriptedServer((request, response) => {
    setTimeout(() => {
      const { status, body } = answer(request);
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(body === undefined ? undefined : JSON.stringify(body));
    }, 10);
  });
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, now: () => clock.now() });
  emulator.createProject('PLAT', { name: 'Platform' });
  emulator.createRepository('PLAT', 'network');
});

afterAll(async () => {
  await emulator.close();
});

afterEach(() => {
  emulator.setFaults(null);
  emulator.setRateLimit(null);
});

describe('application properties', () => {
  it('reads the version without credentials', async () => {
    const client = clientFor({ token: 'not-a-valid-token' });
    const properties = await client.getApplicationProperties();
    expect(properties.version).toMatch(/^\d+\.\d+/);
    client.close();
  });
});

describe('projects', () => {
  const client = () => clientFor();

  it('creates, gets and lists projects with filters', async () => {
    const created = await client().projects.create({ key: 'APPS', name: 'Applications', description: 'Product repos' });
    expect(created).toMatchObject({ key: 'APPS', name: 'Applications', description: 'Product repos' });
    expect(await client().projects.get('APPS')).toEqual(created);
    const named = await client().projects.list({ name: 'applic' }).toArray();
    expect(named.map((project) => project.key)).toEqual(['APPS']);
    const administered = await client().projects.list({ permission: 'PROJECT_ADMIN' }).toArray();
    expect(administered.map((project) => project.key)).toEqual(expect.arrayContaining(['APPS', 'PLAT']));
  });

  it('answers a duplicate key with ApiConflictError carrying Bitbucket messages and request id', async () => {
    const error = await expectRejection(client().projects.create({ key: 'PLAT', name: 'Again' }), ApiConflictError);
    expect(error.status).toBe(409);
    expect(error.messages.length).toBeGreaterThan(0);
    expect(error.requestId).toMatch(/^@/);
    expect(error.method).toBe('POST');
    expect(error.url).toBe(`${emulator.url}/rest/api/latest/projects`);
  });

  it('answers an unknown project with ApiNotFoundError', async () => {
    const error = await expectRejection(client().projects.get('NOPE'), ApiNotFoundError);
    expect(error.messages).toEqual(['Project NOPE does not exist.']);
    expect(error.message).toContain('Project NOPE does not exist.');
  });
});

describe('repositories', () => {
  beforeAll(() => {
    emulator.createProject('MANY');
    for (let index = 0; index < 53; index += 1) emulator.createRepository('MANY', `repo-${String(index).padStart(2, '0')}`);
  });

  it('creates a repository through Bitbucket’s POST and gets it back', async () => {
    const client = clientFor();
    const created = await client.repositories.create('PLAT', { name: 'Edge Proxy', description: 'ingress' });
    expect(created).toMatchObject({ name: 'Edge Proxy', slug: 'edge-proxy', project: { key: 'PLAT' }, scmId: 'git' });
    expect(await client.repositories.get('PLAT', 'edge-proxy')).toEqual(created);
  });

  it('pages through every repository of a project, one request per page', async () => {
    const events: BitbucketRequestEvent[] = [];
    const client = clientFor({ onRequest: (event) => events.push(event) });
    const repositories = await client.repositories.list('MANY', { pageSize: 5 }).toArray();
    expect(repositories).toHaveLength(53);
    expect(new Set(repositories.map((repository) => repository.slug)).size).toBe(53);
    expect(events).toHaveLength(11);
    expect(events.map((event) => new URL(event.url).searchParams.get('start'))).toEqual(
      ['0', '5', '10', '15', '20', '25', '30', '35', '40', '45', '50'],
    );
  });

  it('searches across projects by project key, name and permission', async () => {
    const client = clientFor();
    const found = await client.repositories.search({ projectKey: 'many', name: 'repo-4', pageSize: 3 }).toArray();
    expect(found.map((repository) => repository.slug).sort()).toEqual(
      ['repo-40', 'repo-41', 'repo-42', 'repo-43', 'repo-44', 'repo-45', 'repo-46', 'repo-47', 'repo-48', 'repo-49'],
    );
    const admin = await client.repositories.search({ permission: 'REPO_ADMIN', pageSize: 1 }).firstPage();
    expect(admin.items).toHaveLength(1);
    expect(admin.more).toBe(true);
  });

  it('stops at maxItems and refuses to run past maxPages', async () => {
    const client = clientFor();
    expect(await client.repositories.list('MANY', { pageSize: 10, maxItems: 12 }).toArray()).toHaveLength(12);
    const error = await expectRejection(client.repositories.list('MANY', { pageSize: 10, maxPages: 3 }).toArray(), ApiPageLimitError);
    expect(error.message).toContain('more than 3 pages');
  });

  it('answers a bad permission filter with ApiBadRequestError', async () => {
    const error = await expectRejection(
      clientFor().repositories.search({ permission: 'REPO_OWNER' as never }).toArray(),
      ApiBadRequestError,
    );
    expect(error.status).toBe(400);
    expect(error.messages[0]).toContain('REPO_OWNER');
  });
});

describe('repository webhooks', () => {
  const input = {
    name: 'liftgate',
    url: 'https://liftgate.example/webhooks/bitbucket-datacenter/main',
    events: ['repo:refs_changed', 'pr:opened'],
    configuration: { secret: 's3cret' },
  };

  it('creates, reads back the secret, replaces, searches and deletes', async () => {
    const client = clientFor();
    const created = await client.repositoryWebhooks.create('PLAT', 'network', input);
    expect(created).toMatchObject({ name: 'liftgate', url: input.url, active: true, scopeType: 'repository' });
    const read = await client.repositoryWebhooks.get('PLAT', 'network', created.id);
    expect(read.configuration?.secret).toBe('s3cret');
    expect([...read.events].sort()).toEqual(['pr:opened', 'repo:refs_changed']);

    // PUT replaces the whole webhook: leaving out the configuration clears the secret.
    const replaced = await client.repositoryWebhooks.update('PLAT', 'network', created.id, {
      name: 'liftgate',
      url: input.url,
      events: ['repo:refs_changed'],
      active: false,
    });
    expect(replaced).toMatchObject({ id: created.id, active: false, events: ['repo:refs_changed'] });
    expect((await client.repositoryWebhooks.get('PLAT', 'network', created.id)).configuration?.secret).toBeUndefined();

    await client.repositoryWebhooks.create('PLAT', 'network', { ...input, name: 'other' });
    expect((await client.repositoryWebhooks.search('PLAT', 'network', { name: 'liftgate', url: input.url })).map((w) => w.id)).toEqual([
      created.id,
    ]);
    expect((await client.repositoryWebhooks.search('PLAT', 'network', { event: 'pr:opened' })).map((w) => w.name)).toEqual(['other']);
    expect(await client.repositoryWebhooks.list('PLAT', 'network').toArray()).toHaveLength(2);

    await client.repositoryWebhooks.delete('PLAT', 'network', created.id);
    await expectRejection(client.repositoryWebhooks.get('PLAT', 'network', created.id), ApiNotFoundError);
    await expectRejection(client.repositoryWebhooks.delete('PLAT', 'network', created.id), ApiNotFoundError);
  });

  it('answers an unknown event with ApiBadRequestError naming it', async () => {
    const error = await expectRejection(
      clientFor().repositoryWebhooks.create('PLAT', 'network', { ...input, events: ['repo:teleported'] }),
      ApiBadRequestError,
    );
    expect(error.messages.join(' ')).toContain('repo:teleported');
  });

  it('pages through many webhooks of one repository', async () => {
    const client = clientFor();
    emulator.createRepository('PLAT', 'busy');
    for (let index = 0; index < 12; index += 1) {
      await client.repositoryWebhooks.create('PLAT', 'busy', { ...input, name: `hook-${index}` });
    }
    const names = (await client.repositoryWebhooks.list('PLAT', 'busy', { pageSize: 5 }).toArray()).map((w) => w.name);
    expect(names).toEqual(Array.from({ length: 12 }, (_, index) => `hook-${index}`));
  });

  it('tests an endpoint with diagnostics:ping and reports its answer', async () => {
    const receiver = await scriptedServer((_request, response) => {
      response.writeHead(204).end();
    });
    try {
      const result = await clientFor().repositoryWebhooks.test('PLAT', 'network', { url: `${receiver.url}/hook` });
      expect(result.response?.statusCode).toBe(204);
      expect(receiver.requests.map((request) => request.headers['x-event-key'])).toEqual(['diagnostics:ping']);
    } finally {
      await receiver.close();
    }
  });
});

describe('project webhooks', () => {
  it('creates a project webhook that fires for every repository of the project', async () => {
    const client = clientFor();
    emulator.createProject('PWH');
    emulator.createRepository('PWH', 'one');
    const created = await client.projectWebhooks.create('PWH', {
      name: 'project-hook',
      url: 'https://liftgate.example/hook',
      events: ['repo:refs_changed'],
    });
    expect(created.scopeType).toBe('project');
    expect(await client.projectWebhooks.get('PWH', created.id)).toMatchObject({ id: created.id, name: 'project-hook' });
    expect((await client.projectWebhooks.search('PWH', { name: 'project-hook' })).map((w) => w.id)).toEqual([created.id]);
    const firing = await client.repositoryWebhooks.listFiring('PWH', 'one').toArray();
    expect(firing.map((webhook) => [webhook.id, webhook.scopeType])).toEqual([[created.id, 'project']]);
    const updated = await client.projectWebhooks.update('PWH', created.id, { ...created, events: ['pr:opened'] });
    expect(updated.events).toEqual(['pr:opened']);
    await client.projectWebhooks.delete('PWH', created.id);
    expect(await client.projectWebhooks.list('PWH').toArray()).toEqual([]);
  });
});

describe('access tokens', () => {
  it('creates a user token with PUT, lists it, uses it and deletes it', async () => {
    const password = 'correct horse battery staple';
    emulator.createUser({ name: 'robot', password, globalPermission: 'ADMIN', withToken: false });
    const client = clientFor({ token: undefined, username: 'robot', password });
    const created = await client.accessTokens.create('robot', { name: 'ci', permissions: ['REPO_ADMIN', 'PROJECT_READ'] });
    expect(created.token.length).toBeGreaterThan(10);
    expect((await client.accessTokens.list('robot').toArray()).map((token) => token.name)).toEqual(['ci']);
    expect(await client.accessTokens.get('robot', created.id)).toMatchObject({ id: created.id, name: 'ci' });

    const withToken = clientFor({ token: created.token });
    await expect(withToken.repositories.get('PLAT', 'network')).resolves.toMatchObject({ slug: 'network' });

    await client.accessTokens.delete('robot', created.id);
    expect(await client.accessTokens.list('robot').toArray()).toEqual([]);
    await expectRejection(withToken.repositories.get('PLAT', 'network'), ApiUnauthorizedError);
  });
});

describe('credential verification', () => {
  it('reports ok for an admin token', async () => {
    const check = await clientFor().verifyCredentials();
    expect(check).toMatchObject({ ok: true, properties: { version: expect.any(String) } });
  });

  it('reports an unreachable host, a bad token and a token without admin permission', async () => {
    const unreachable = await clientFor({ baseUrl: `http://127.0.0.1:${await closedPort()}`, retry: { maxRetries: 0 } }).verifyCredentials();
    expect(unreachable).toMatchObject({ ok: false, problem: 'unreachable' });
    const badToken = await clientFor({ token: 'definitely-wrong' }).verifyCredentials();
    expect(badToken).toMatchObject({ ok: false, problem: 'unauthorized' });
    const reader = emulator.createUser({ name: 'reader', repositoryPermissions: { 'PLAT/network': 'REPO_READ' } });
    const readOnly = await clientFor({ token: reader.token! }).verifyCredentials();
    expect(readOnly).toMatchObject({ ok: false, problem: 'missing-permission' });
    expect(readOnly.ok === false && readOnly.message).toContain('REPO_ADMIN');
  });

  it('reports a server that is not Bitbucket', async () => {
    const server = await fixedResponseServer(404, 'text/html', '<h1>Not Found</h1>');
    try {
      const check = await clientFor({ baseUrl: server.url }).verifyCredentials();
      expect(check).toMatchObject({ ok: false, problem: 'not-bitbucket' });
    } finally {
      await server.close();
    }
  });
});

describe('errors', () => {
  it('maps 401 to ApiUnauthorizedError with Bitbucket’s message', async () => {
    const error = await expectRejection(clientFor({ token: 'wrong' }).repositories.get('PLAT', 'network'), ApiUnauthorizedError);
    expect(error.status).toBe(401);
    expect(error.messages[0]).toContain('Authentication failed');
  });

  it('maps a missing permission to 401 as Bitbucket does', async () => {
    const outsider = emulator.createUser({ name: 'outsider', repositoryPermissions: { 'PLAT/network': 'REPO_READ' } });
    const error = await expectRejection(
      clientFor({ token: outsider.token! }).repositoryWebhooks.list('PLAT', 'network').toArray(),
      ApiUnauthorizedError,
    );
    expect(error.messages).toEqual(['You are not permitted to access this resource']);
  });

  it('maps 403 (the XSRF page, which is HTML) to ApiForbiddenError without messages', async () => {
    const server = await fixedResponseServer(403, 'text/html;charset=UTF-8', 'XSRF check failed');
    try {
      const error = await expectRejection(
        clientFor({ baseUrl: server.url }).projects.create({ key: 'X', name: 'x' }),
        ApiForbiddenError,
      );
      expect(error).toMatchObject({ status: 403, messages: [], requestId: '@FIXED' });
    } finally {
      await server.close();
    }
  });

  it('maps a body that does not match the schema to ApiResponseParseError naming the field', async () => {
    const server = await fixedResponseServer(200, 'application/json', JSON.stringify({ id: 1, key: 'P', name: 7 }));
    try {
      const error = await expectRejection(clientFor({ baseUrl: server.url }).projects.get('P'), ApiResponseParseError);
      expect(error.fieldPaths).toEqual(['name']);
      expect(error.message).toContain('name:');
    } finally {
      await server.close();
    }
  });

  it('maps a refused connection to ApiConnectionError after retrying', async () => {
    const events: BitbucketRequestEvent[] = [];
    const client = clientFor({ baseUrl: `http://127.0.0.1:${await closedPort()}`, retry: { maxRetries: 2, baseDelayMs: 1 }, onRequest: (e) => events.push(e) });
    const error = await expectRejection(client.projects.get('PLAT'), ApiConnectionError);
    expect(error.networkCode).toBe('ECONNREFUSED');
    expect(error.status).toBeUndefined();
    expect(events).toHaveLength(3);
  });

  it('gives up on a request that hangs after timeoutMs with ApiConnectionError', async () => {
    emulator.setFaults({ rate: 1, hang: true, phase: 'before' });
    const client = clientFor({ timeoutMs: 150, retry: { maxRetries: 1, baseDelayMs: 1 } });
    const error = await expectRejection(client.projects.get('PLAT'), ApiConnectionError);
    expect(error.networkCode).toBe('ETIMEDOUT');
    expect(error.message).toContain('no answer within 150 ms');
  });

  it('maps a 5xx that persists past the retries to ApiServerError', async () => {
    emulator.setFaults({ rate: 1, status: 503, phase: 'before' });
    const events: BitbucketRequestEvent[] = [];
    const error = await expectRejection(
      clientFor({ retry: { maxRetries: 3, baseDelayMs: 1 }, onRequest: (e) => events.push(e) }).projects.get('PLAT'),
      ApiServerError,
    );
    expect(error.status).toBe(503);
    expect(events.map((event) => event.status)).toEqual([503, 503, 503, 503]);
  });

  it('never retries a 4xx other than 429', async () => {
    const events: BitbucketRequestEvent[] = [];
    await expectRejection(clientFor({ onRequest: (e) => events.push(e) }).projects.get('NOPE'), ApiNotFoundError);
    expect(events).toHaveLength(1);
  });
});

describe('what goes on the wire', () => {
  const project = { id: 1, key: 'P', name: 'P' };
  const webhook = { id: 9, name: 'h', url: 'https://h.example', events: ['repo:refs_changed'], active: true };

  it('sends X-Atlassian-Token: no-check on writes only, with Bearer or Basic credentials and a User-Agent', async () => {
    const server = await recordingServer((request) => {
      if (request.method === 'DELETE') return { status: 204 };
      if (request.url!.includes('/webhooks')) return { status: 200, body: request.method === 'GET' ? { isLastPage: true, values: [] } : webhook };
      return { status: request.method === 'POST' ? 201 : 200, body: project };
    });
    try {
      const bearer = clientFor({ baseUrl: server.url, token: 'bearer-token', userAgent: 'liftgate-test/1' });
      await bearer.projects.get('P');
      await bearer.repositoryWebhooks.update('P', 'r', 9, { name: 'h', url: 'https://h.example', events: ['repo:refs_changed'] });
      await bearer.repositoryWebhooks.delete('P', 'r', 9);
      const basic = clientFor({ baseUrl: server.url, token: undefined, username: 'jane', password: 'pw' });
      await basic.projects.create({ key: 'P', name: 'P' });

      const seen = server.requests.map((request) => ({
        method: request.method,
        xsrf: request.headers['x-atlassian-token'],
        authorization: request.headers.authorization,
        userAgent: request.headers['user-agent'],
      }));
      const basicHeader = `Basic ${Buffer.from('jane:pw').toString('base64')}`;
      expect(seen).toEqual([
        { method: 'GET', xsrf: undefined, authorization: 'Bearer bearer-token', userAgent: 'liftgate-test/1' },
        { method: 'PUT', xsrf: 'no-check', authorization: 'Bearer bearer-token', userAgent: 'liftgate-test/1' },
        { method: 'DELETE', xsrf: 'no-check', authorization: 'Bearer bearer-token', userAgent: 'liftgate-test/1' },
        // The project create first checks whether the key exists.
        { method: 'GET', xsrf: undefined, authorization: basicHeader, userAgent: 'liftgate-bitbucket-client' },
        { method: 'POST', xsrf: 'no-check', authorization: basicHeader, userAgent: 'liftgate-bitbucket-client' },
      ]);
    } finally {
      await server.close();
    }
  });

  it('never has more requests in flight than its concurrency limit', async () => {
    const server = await recordingServer(() => ({ status: 200, body: project }));
    try {
      const client = clientFor({ baseUrl: server.url, concurrency: 3 });
      await Promise.all(Array.from({ length: 20 }, () => client.projects.get('P')));
      expect(server.requests).toHaveLength(20);
      expect(server.peakInFlight()).toBe(3);
    } finally {
      await server.close();
    }
  });
});

describe('rate limiting', () => {
  beforeEach(() => {
    clock.sleeps.length = 0;
  });

  it('waits out Retry-After on a 429 and then succeeds', async () => {
    emulator.setRateLimit({ capacity: 1, refillPerSecond: 1 });
    const events: BitbucketRequestEvent[] = [];
    const client = clientFor({ clock, onRequest: (event) => events.push(event) });
    await client.projects.get('PLAT');
    await client.projects.get('PLAT');
    expect(events.map((event) => event.status)).toEqual([200, 429, 200]);
    // The emulator answered Retry-After: 1 (seconds); the client waited that long plus at most a quarter more.
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(1000);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(1250);
  });

  it('waits out 429s even with maxRetries 0: they spend the time budget, not the retries for failures', async () => {
    emulator.setRateLimit({ capacity: 1, refillPerSecond: 2 });
    const events: BitbucketRequestEvent[] = [];
    const client = clientFor({ clock, retry: { maxRetries: 0 }, onRequest: (event) => events.push(event) });
    await Promise.all([client.projects.get('PLAT'), client.projects.get('PLAT'), client.projects.get('PLAT')]);
    expect(events.filter((event) => event.status === 429).length).toBeGreaterThanOrEqual(2);
    expect(events.filter((event) => event.status === 200)).toHaveLength(3);
  });

  it('gives up on 429s once maxRateLimitWaitMs would be exceeded', async () => {
    emulator.setRateLimit({ capacity: 1, refillPerSecond: 0.5 });
    const client = clientFor({ clock, retry: { maxRateLimitWaitMs: 1500 } });
    await client.projects.get('PLAT');
    const error = await expectRejection(client.projects.get('PLAT'), ApiRateLimitedError);
    expect(error.retryAfterMs).toBe(2000);
    expect(clock.sleeps).toEqual([]);
  });

  it('fails with ApiRateLimitedError carrying retryAfterMs when the wait would exceed maxRetryAfterMs', async () => {
    emulator.setRateLimit({ capacity: 1, refillPerSecond: 0.2 });
    const client = clientFor({ clock, retry: { maxRetryAfterMs: 1000 } });
    await client.projects.get('PLAT');
    const error = await expectRejection(client.projects.get('PLAT'), ApiRateLimitedError);
    expect(error.status).toBe(429);
    expect(error.retryAfterMs).toBe(5000);
    expect(clock.sleeps).toEqual([]);
  });
});

describe('creates that fail after or before the server acted', () => {
  /**
   * Switches a 500 fault on for exactly the next request, in the given phase: `after` makes the change
   * and loses the answer, `before` makes nothing. Driven from onRequest so the timing is deterministic.
   */
  function faultOnce(afterRequestNumber: number, phase: 'before' | 'after'): { events: BitbucketRequestEvent[]; onRequest: (e: BitbucketRequestEvent) => void } {
    const events: BitbucketRequestEvent[] = [];
    return {
      events,
      onRequest: (event) => {
        events.push(event);
        if (events.length === afterRequestNumber) emulator.setFaults({ rate: 1, status: 500, phase });
        else if (events.length === afterRequestNumber + 1) emulator.setFaults(null);
      },
    };
  }
  const summary = (events: BitbucketRequestEvent[]) => events.map((event) => `${event.method} ${event.status}`);

  beforeAll(() => {
    emulator.createProject('ONCE');
    emulator.createRepository('ONCE', 'target');
  });

  it('adopts the webhook a create made when its answer was lost, instead of making a second', async () => {
    const { events, onRequest } = faultOnce(1, 'after');
    const hook = { name: 'adopt', url: 'https://hooks.example/adopt', events: ['repo:refs_changed'] };
    const created = await clientFor({ onRequest }).repositoryWebhooks.create('ONCE', 'target', hook);
    expect(summary(events)).toEqual(['GET 200', 'POST 500', 'GET 200']);
    expect(emulator.repositoryWebhooks('ONCE', 'target').filter((w) => w.name === 'adopt').map((w) => w.id)).toEqual([created.id]);
  });

  it('sends the create again when the failed attempt made nothing, and does not adopt an older twin', async () => {
    const hook = { name: 'twin', url: 'https://hooks.example/twin', events: ['repo:refs_changed'] };
    const older = await clientFor().repositoryWebhooks.create('ONCE', 'target', hook);
    const { events, onRequest } = faultOnce(1, 'before');
    const created = await clientFor({ onRequest }).repositoryWebhooks.create('ONCE', 'target', hook);
    expect(summary(events)).toEqual(['GET 200', 'POST 500', 'GET 200', 'POST 200']);
    expect(created.id).not.toBe(older.id);
    expect(emulator.repositoryWebhooks('ONCE', 'target').filter((w) => w.name === 'twin')).toHaveLength(2);
  });

  it('adopts a project whose create answer was lost; a project that existed before still answers 409', async () => {
    const { events, onRequest } = faultOnce(1, 'after');
    const created = await clientFor({ onRequest }).projects.create({ key: 'LOST', name: 'Lost answer' });
    expect(summary(events)).toEqual(['GET 404', 'POST 500', 'GET 200']);
    expect(created.key).toBe('LOST');
    await expectRejection(clientFor().projects.create({ key: 'LOST', name: 'Again' }), ApiConflictError);
  });

  it('adopts a repository whose create answer was lost', async () => {
    const { events, onRequest } = faultOnce(1, 'after');
    const created = await clientFor({ onRequest }).repositories.create('ONCE', { name: 'Lost Repo' });
    expect(summary(events)).toEqual(['GET 200', 'POST 500', 'GET 200']);
    expect(created.slug).toBe('lost-repo');
  });

  it('deletes a token whose raw value was lost with the answer and creates a fresh one', async () => {
    const password = 'token-owner-password';
    emulator.createUser({ name: 'keeper', password, globalPermission: 'ADMIN', withToken: false });
    const { events, onRequest } = faultOnce(1, 'after');
    const client = clientFor({ token: undefined, username: 'keeper', password, onRequest });
    const created = await client.accessTokens.create('keeper', { name: 'deploy', permissions: ['REPO_READ'] });
    expect(summary(events)).toEqual(['GET 200', 'PUT 500', 'GET 200', 'DELETE 204', 'PUT 200']);
    const tokens = await clientFor({ token: undefined, username: 'keeper', password }).accessTokens.list('keeper').toArray();
    expect(tokens.map((token) => token.id)).toEqual([created.id]);
  });

  it('treats a 404 on a retried delete as done: the lost first attempt deleted it', async () => {
    const hook = await clientFor().repositoryWebhooks.create('ONCE', 'target', {
      name: 'gone',
      url: 'https://hooks.example/gone',
      events: ['repo:refs_changed'],
    });
    const { events, onRequest } = faultOnce(0, 'after');
    emulator.setFaults({ rate: 1, status: 500, phase: 'after' });
    await clientFor({ onRequest }).repositoryWebhooks.delete('ONCE', 'target', hook.id);
    expect(summary(events)).toEqual(['DELETE 500', 'DELETE 404']);
    expect(emulator.repositoryWebhooks('ONCE', 'target').some((w) => w.id === hook.id)).toBe(false);
  });
});

describe('under 20 % injected 5xx', () => {
  it('creates exactly the expected webhooks, repositories and projects: no duplicates, none missing', async () => {
    emulator.createProject('FLAKY');
    const slugs = Array.from({ length: 16 }, (_, index) => `svc-${index}`);
    for (const slug of slugs) emulator.createRepository('FLAKY', slug);
    // Faults strike before or after the request is handled, so some answers are lost after the write.
    emulator.setFaults({ rate: 0.2, status: 500, phase: 'either' });
    const events: BitbucketRequestEvent[] = [];
    const client = clientFor({ retry: { maxRetries: 10, baseDelayMs: 1, maxDelayMs: 5 }, concurrency: 4, onRequest: (e) => events.push(e) });

    await Promise.all(
      slugs.flatMap((slug) =>
        ['ci', 'deploy', 'audit'].map((name) =>
          client.repositoryWebhooks.create('FLAKY', slug, {
            name,
            url: `https://hooks.example/${name}`,
            events: ['repo:refs_changed'],
            configuration: { secret: `${slug}-${name}` },
          }),
        ),
      ),
    );
    const repositories = await Promise.all(
      ['alpha', 'beta', 'gamma'].map((name) => client.repositories.create('FLAKY', { name })),
    );
    const projects = await Promise.all(['FLK1', 'FLK2'].map((key) => client.projects.create({ key, name: key })));
    const deletedFirst = await client.repositoryWebhooks.search('FLAKY', 'svc-0', { name: 'audit' });
    await client.repositoryWebhooks.delete('FLAKY', 'svc-0', deletedFirst[0]!.id);
    emulator.setFaults(null);

    // With ~50 creates at 20 %, some creates certainly met a fault (the chance of none is below 1e-5).
    expect(events.filter((event) => event.method === 'POST' && event.status === 500).length).toBeGreaterThan(0);
    for (const slug of slugs) {
      const names = emulator.repositoryWebhooks('FLAKY', slug).map((webhook) => webhook.name).sort();
      expect(names).toEqual(slug === 'svc-0' ? ['ci', 'deploy'] : ['audit', 'ci', 'deploy']);
      for (const webhook of emulator.repositoryWebhooks('FLAKY', slug)) {
        expect(webhook.configuration).toEqual({ secret: `${slug}-${webhook.name}` });
      }
    }
    expect(repositories.map((repository) => repository.slug)).toEqual(['alpha', 'beta', 'gamma']);
    const flakyRepos = await clientFor().repositories.list('FLAKY').toArray();
    expect(flakyRepos.map((repository) => repository.slug).sort()).toEqual(['alpha', 'beta', 'gamma', ...slugs].sort());
    expect(projects.map((project) => project.key)).toEqual(['FLK1', 'FLK2']);
  });
});

describe('credential redaction', () => {
  const token = 'tok-SENSITIVE-0123456789';
  const password = 'pw-SENSITIVE-9876543210';

  function expectNoCredentials(error: unknown, secrets: string[]): void {
    const views = [String(error), (error as Error).stack ?? '', JSON.stringify(error), inspect(error, { depth: 10, showHidden: true })];
    for (const view of views) {
      for (const secret of secrets) expect(view).not.toContain(secret);
    }
  }

  it('keeps the token and the password out of message, JSON and inspect of every error kind', async () => {
    const basic = Buffer.from(`admin:${password}`).toString('base64');
    const secrets = [token, password, basic];
    const closed = `http://127.0.0.1:${await closedPort()}`;
    const malformed = await fixedResponseServer(200, 'application/json', '{"not":"a project"}');
    try {
      const failures = [
        () => clientFor({ token }).projects.get('PLAT'),
        () => clientFor({ token: undefined, username: 'admin', password }).projects.get('PLAT'),
        () => clientFor({ token, baseUrl: closed, retry: { maxRetries: 0 } }).projects.get('PLAT'),
        () => clientFor({ token: undefined, username: 'admin', password, baseUrl: closed, retry: { maxRetries: 0 } }).projects.get('PLAT'),
        () => clientFor({ token, baseUrl: malformed.url }).projects.get('PLAT'),
      ];
      for (const failure of failures) {
        const error = await failure().then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(error).toBeInstanceOf(BitbucketError);
        expectNoCredentials(error, secrets);
      }
    } finally {
      await malformed.close();
    }
    expectNoCredentials(new BitbucketClient({ baseUrl: emulator.url, token }), [token]);
  });
});
