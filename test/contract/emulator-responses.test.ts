import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { call, type RequestOptions } from '../emulator/http';
import {
  expectRequestBodyToMatchSpec,
  expectResponseToMatchSpec,
  expectToMatchComponentSchema,
} from './openapi';

/**
 * Every emulator response the Bitbucket client relies on, validated against Atlassian's OpenAPI document:
 * the status must be documented for the operation and the body must match its schema.
 */

let emulator: RunningEmulator;
let receiver: Server;
let receiverUrl: string;
let reader: string;
let writer: string;

/** Calls the emulator, asserts the status, and validates the exchange against the document. */
async function exchange(method: string, path: string, status: number, options: RequestOptions = {}) {
  // Requests meant to be refused are invalid on purpose; only the accepted ones must match the document.
  if (status < 300 && options.body !== undefined && typeof options.body === 'object') {
    expectRequestBodyToMatchSpec(method, path, options.body);
  }
  const response = await call(emulator, method, path, options);
  expect({ status: response.status, body: response.body }).toMatchObject({ status });
  expectResponseToMatchSpec(method, path, response.status, response.body);
  return response.body as Record<string, any>;
}

beforeAll(async () => {
  receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(200).end('ok'));
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  emulator = await startEmulator({ port: 0 });
  emulator.createProject('PRJ', { name: 'Platform' });
  for (let index = 0; index < 30; index += 1) emulator.createRepository('PRJ', `service-${index}`);
  emulator.createProject('OTHER', { name: 'Other' });
  emulator.createRepository('OTHER', 'secret-repo');
  reader = emulator.createUser({ name: 'reader', projectPermissions: { PRJ: 'PROJECT_READ' } }).token!;
  writer = emulator.createUser({ name: 'writer', repositoryPermissions: { 'PRJ/service-1': 'REPO_WRITE', 'PRJ/service-2': 'REPO_ADMIN' } }).token!;
});

afterAll(async () => {
  await emulator.close();
  await new Promise((resolve) => receiver.close(resolve));
});

const repo = '/rest/api/latest/projects/PRJ/repos/service-1';
const webhookBody = () => ({
  name: 'liftgate',
  url: receiverUrl,
  events: ['repo:refs_changed', 'pr:opened'],
  active: true,
  configuration: { secret: 's3cret' },
  sslVerificationRequired: true,
});

describe('application properties, projects and repositories', () => {
  test('application-properties needs no credentials', async () => {
    const body = await exchange('GET', '/rest/api/latest/application-properties', 200, { token: null });
    expect(body.version).toMatch(/^9\.4\./);
  });

  test('projects: list, filter by permission, get, unknown', async () => {
    const page = await exchange('GET', '/rest/api/latest/projects?limit=1', 200);
    expect(page).toMatchObject({ size: 1, limit: 1, isLastPage: false, nextPageStart: 1 });
    const readable = await exchange('GET', '/rest/api/latest/projects?permission=PROJECT_READ', 200, { token: reader });
    expect(readable.values.map((project: { key: string }) => project.key)).toEqual(['PRJ']);
    await exchange('GET', '/rest/api/latest/projects?permission=NOPE', 400);
    await exchange('GET', '/rest/api/1.0/projects/PRJ', 200);
    await exchange('GET', '/rest/api/latest/projects/NOPE', 404);
    await exchange('GET', '/rest/api/latest/projects/OTHER', 401, { token: reader });
  });

  test('projects and repositories can be created with Bitbucket\'s own endpoints', async () => {
    await exchange('POST', '/rest/api/latest/projects', 201, { body: { key: 'NEWP', name: 'New project' } });
    await exchange('POST', '/rest/api/latest/projects', 409, { body: { key: 'NEWP', name: 'Another' } });
    await exchange('POST', '/rest/api/latest/projects', 400, { body: { key: '1bad', name: 'Bad' } });
    await exchange('POST', '/rest/api/latest/projects', 401, { token: reader, body: { key: 'NOPE', name: 'Nope' } });
    const created = await exchange('POST', '/rest/api/latest/projects/NEWP/repos', 201, { body: { name: 'My Repo', scmId: 'git' } });
    expect(created).toMatchObject({ slug: 'my-repo', project: { key: 'NEWP' } });
    await exchange('POST', '/rest/api/latest/projects/NEWP/repos', 409, { body: { name: 'My Repo', scmId: 'git' } });
    await exchange('POST', '/rest/api/latest/projects/NEWP/repos', 400, { body: { name: '' } });
  });

  test('repositories: list pages, get, unknown, missing permission', async () => {
    const first = await exchange('GET', '/rest/api/latest/projects/PRJ/repos?limit=25', 200);
    expect(first).toMatchObject({ size: 25, isLastPage: false, nextPageStart: 25 });
    const last = await exchange('GET', '/rest/api/latest/projects/PRJ/repos?start=25&limit=25', 200);
    expect(last).toMatchObject({ size: 5, isLastPage: true });
    expect(last.nextPageStart).toBeUndefined();
    await exchange('GET', repo, 200, { token: reader });
    await exchange('GET', '/rest/api/latest/projects/PRJ/repos/nope', 404);
    await exchange('GET', '/rest/api/latest/projects/OTHER/repos/secret-repo', 401, { token: reader });
  });

  test('repository search filters by the caller\'s permission', async () => {
    const admin = await exchange('GET', '/rest/api/latest/repos?permission=REPO_ADMIN&limit=100', 200, { token: writer });
    expect(admin.values.map((repository: { slug: string }) => repository.slug)).toEqual(['service-2']);
    const write = await exchange('GET', '/rest/api/latest/repos?permission=REPO_WRITE&projectkey=prj', 200, { token: writer });
    expect(write.values.map((repository: { slug: string }) => repository.slug).sort()).toEqual(['service-1', 'service-2']);
    const named = await exchange('GET', '/rest/api/latest/repos?name=secret', 200);
    expect(named.values).toHaveLength(1);
    await exchange('GET', '/rest/api/latest/repos?permission=PROJECT_ADMIN', 400);
    await exchange('GET', '/rest/api/latest/repos?visibility=hidden', 400);
  });
});

describe.each([
  ['repository', repo],
  ['project', '/rest/api/latest/projects/PRJ'],
])('%s webhooks', (scope, base) => {
  test('create, list, search, get, update, test, delete', async () => {
    const created = await exchange('POST', `${base}/webhooks`, 200, { body: webhookBody() });
    expect(created).toMatchObject({ name: 'liftgate', configuration: { secret: 's3cret' }, scopeType: scope });
    expectToMatchComponentSchema('RestWebhook', created);
    const id = created.id as number;

    const listed = await exchange('GET', `${base}/webhooks?event=repo:refs_changed`, 200);
    expect(listed.values.map((webhook: { id: number }) => webhook.id)).toContain(id);
    for (const webhook of listed.values) expectToMatchComponentSchema('RestWebhook', webhook);

    const fetched = await exchange('GET', `${base}/webhooks/${id}?statistics=true`, 200);
    expect(fetched.configuration).toEqual({ secret: 's3cret' });

    const replacement = { name: 'renamed', url: receiverUrl, events: ['pr:merged'], active: false };
    const updated = await exchange('PUT', `${base}/webhooks/${id}`, 200, { body: replacement });
    // PUT replaces the whole webhook: the omitted configuration (and so the secret) is gone.
    expect(updated).toMatchObject({ name: 'renamed', events: ['pr:merged'], active: false, configuration: {} });

    const tested = await exchange('POST', `${base}/webhooks/test?webhookId=${id}&url=${encodeURIComponent(receiverUrl)}`, 200);
    expect(tested.response.statusCode).toBe(200);

    await exchange('GET', `${base}/webhooks/${id}/latest`, 204);
    await exchange('GET', `${base}/webhooks/${id}/statistics`, 200);
    await exchange('GET', `${base}/webhooks/${id}/statistics/summary`, 200);
    await exchange('DELETE', `${base}/webhooks/${id}`, 204);
    await exchange('GET', `${base}/webhooks/${id}`, 404);
    await exchange('DELETE', `${base}/webhooks/${id}`, 404);
  });

  test('invalid webhooks are 400, missing permission is 401', async () => {
    await exchange('POST', `${base}/webhooks`, 400, { body: { ...webhookBody(), events: ['repo:nonsense'] } });
    await exchange('POST', `${base}/webhooks`, 400, { body: { ...webhookBody(), events: [] } });
    await exchange('POST', `${base}/webhooks`, 400, { body: { ...webhookBody(), events: ['pr:opened', 'pr:opened'] } });
    await exchange('POST', `${base}/webhooks`, 401, { token: writer, body: webhookBody() });
    await exchange('GET', `${base}/webhooks`, 401, { token: reader });
  });
});

test('a push is recorded for latest and statistics, and search includes project webhooks', async () => {
  const own = await exchange('POST', `${repo}/webhooks`, 200, { body: webhookBody() });
  const inherited = await exchange('POST', '/rest/api/latest/projects/PRJ/webhooks', 200, { body: webhookBody() });
  const push = await call(emulator, 'POST', '/_emulator/projects/PRJ/repos/service-1/push', { body: { branch: 'main' } });
  expect(push.status).toBe(200);
  const latest = await exchange('GET', `${repo}/webhooks/${own.id}/latest`, 200);
  expect(latest).toMatchObject({ event: 'repo:refs_changed', result: { outcome: 'SUCCESS' } });
  const statistics = await exchange('GET', `${repo}/webhooks/${own.id}/statistics`, 200);
  expect(statistics.counts.successes).toBe(1);
  const projectLatest = await exchange('GET', `/rest/api/latest/projects/PRJ/webhooks/${inherited.id}/latest`, 200);
  expect(projectLatest.eventScope).toEqual({ id: 'PRJ', type: 'project' });

  const search = await exchange('GET', `${repo}/webhooks/search?scopeType=repository&scopeType=project`, 200);
  expect(search.values.map((webhook: { id: number }) => webhook.id)).toEqual(expect.arrayContaining([own.id, inherited.id]));
  const onlyProject = await exchange('GET', `${repo}/webhooks/search?scopeType=project`, 200);
  expect(onlyProject.values.every((webhook: { scopeType: string }) => webhook.scopeType === 'project')).toBe(true);
});

describe('access tokens', () => {
  const scopes = [
    ['user', '/rest/access-tokens/latest/users/admin', ['PROJECT_READ', 'REPO_ADMIN']],
    ['project', '/rest/access-tokens/latest/projects/PRJ', ['PROJECT_ADMIN']],
    ['repository', '/rest/access-tokens/latest/projects/PRJ/repos/service-1', ['REPO_READ']],
  ] as const;

  test.each(scopes)('%s tokens: create, list, get, update, delete', async (_scope, base, permissions) => {
    const created = await exchange('PUT', base, 200, { body: { name: 'ci', permissions: [...permissions], expiryDays: 30 } });
    expect(typeof created.token).toBe('string');
    const listed = await exchange('GET', base, 200);
    expect(listed.values.map((token: { id: string }) => token.id)).toContain(created.id);
    await exchange('GET', `${base}/${created.id}`, 200);
    const updated = await exchange('POST', `${base}/${created.id}`, 200, { body: { name: 'renamed' } });
    expect(updated.name).toBe('renamed');
    await exchange('DELETE', `${base}/${created.id}`, 204);
    await exchange('GET', `${base}/${created.id}`, 404);
  });

  test('bad permissions are 400 and tokens cannot manage tokens', async () => {
    await exchange('PUT', '/rest/access-tokens/latest/projects/PRJ/repos/service-1', 400, {
      body: { name: 'x', permissions: ['PROJECT_ADMIN'] },
    });
    await exchange('PUT', '/rest/access-tokens/latest/users/admin', 400, { body: { name: 'x', permissions: ['ACCOUNT_READ'] } });
    await exchange('PUT', '/rest/access-tokens/latest/users/reader', 401, { token: reader, body: { name: 'x', permissions: ['REPO_READ'] } });
    await exchange('GET', '/rest/access-tokens/latest/users/nobody', 404);
  });
});

describe('errors outside the documented statuses still use Bitbucket\'s error shape', () => {
  test('unknown credentials, rate limiting and injected faults', async () => {
    const unauthenticated = await call(emulator, 'GET', repo, { token: 'not-a-token' });
    expect(unauthenticated.status).toBe(401);
    expectResponseToMatchSpec('GET', repo, 401, unauthenticated.body);

    emulator.setRateLimit({ capacity: 1, refillPerSecond: 0.01 });
    try {
      await call(emulator, 'GET', repo, { token: reader });
      const limited = await call(emulator, 'GET', repo, { token: reader });
      expect(limited.status).toBe(429);
      for (const error of (limited.body as { errors: unknown[] }).errors) expectToMatchComponentSchema('RestErrorMessage', error);
    } finally {
      emulator.setRateLimit(null);
    }

    emulator.setFaults({ rate: 1, status: 503, phase: 'before' });
    try {
      const faulted = await call(emulator, 'GET', repo);
      expect(faulted.status).toBe(503);
      for (const error of (faulted.body as { errors: unknown[] }).errors) expectToMatchComponentSchema('RestErrorMessage', error);
    } finally {
      emulator.setFaults(null);
    }
  });
});

describe('the contract validator itself', () => {
  test('rejects undocumented statuses, wrong types and broken request bodies', () => {
    expect(() => expectResponseToMatchSpec('GET', '/rest/api/latest/projects/PRJ', 500, {})).toThrow(/not documented/);
    expect(() => expectResponseToMatchSpec('GET', '/rest/api/latest/projects/PRJ', 200, { id: 'one' })).toThrow(/id/);
    expect(() => expectResponseToMatchSpec('GET', '/rest/api/latest/projects/PRJ', 404, { errors: [{ message: 5 }] })).toThrow(/message/);
    expect(() => expectResponseToMatchSpec('DELETE', `${repo}/webhooks/1`, 204, { unexpected: true })).toThrow(/without a body/);
    expect(() =>
      expectRequestBodyToMatchSpec('POST', '/api/latest/projects/{projectKey}/repos/{repositorySlug}/webhooks', {
        name: 'x',
        events: ['a', 'a'],
      }),
    ).toThrow(/duplicate/);
    expect(() => expectRequestBodyToMatchSpec('PUT', '/rest/access-tokens/latest/users/u', { expiryDays: 'soon' })).toThrow(/expiryDays/);
  });
});
