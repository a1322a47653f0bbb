import fc from 'fast-check';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { call, type Exchange } from './http';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  emulator.createProject('PRJ');
  emulator.createRepository('PRJ', 'app');
});

afterAll(() => emulator.close());

/** Bitbucket's error body: a non-empty `errors` list whose entries carry a message. */
function expectBitbucketError(response: Exchange): void {
  expect(response.headers.get('content-type')).toBe('application/json;charset=UTF-8');
  const body = response.body as { errors: Array<{ context: unknown; message: unknown; exceptionName: unknown }> };
  expect(Array.isArray(body.errors)).toBe(true);
  expect(body.errors.length).toBeGreaterThan(0);
  for (const error of body.errors) {
    expect(typeof error.message).toBe('string');
    expect(error.context === null || typeof error.context === 'string').toBe(true);
    expect(error.exceptionName === null || typeof error.exceptionName === 'string').toBe(true);
  }
}

async function stillServing(): Promise<void> {
  expect((await call(emulator, 'GET', '/rest/api/latest/projects/PRJ/repos/app')).status).toBe(200);
}

test.each([
  ['{"name":', 'truncated JSON'],
  ['{name: "x"}', 'unquoted keys'],
  ['\u0000\u0001', 'control characters'],
  ['[1,2,', 'truncated array'],
])('malformed JSON %j (%s) is a 400 with Bitbucket\'s error body', async (raw) => {
  const response = await call(emulator, 'POST', '/rest/api/latest/projects/PRJ/repos/app/webhooks', { body: raw });
  expect(response.status).toBe(400);
  expectBitbucketError(response);
  expect((response.body as { errors: Array<{ message: string }> }).errors[0]!.message).toMatch(/not valid JSON/);
});

test.each([
  ['POST', '/rest/api/latest/projects/PRJ/repos/app/webhooks', 'null'],
  ['POST', '/rest/api/latest/projects/PRJ/repos/app/webhooks', '[]'],
  ['POST', '/rest/api/latest/projects/PRJ/repos/app/webhooks', '42'],
  ['POST', '/rest/api/latest/projects/PRJ/repos/app/webhooks', '"text"'],
  ['POST', '/rest/api/latest/projects', '{"key":["A"],"name":{}}'],
  ['POST', '/rest/api/latest/projects/PRJ/repos', '{"name":123}'],
  ['PUT', '/rest/access-tokens/latest/users/admin', '{"name":"x","permissions":"REPO_READ"}'],
  ['PUT', '/rest/access-tokens/latest/users/admin', '{"name":"x","permissions":["REPO_READ"],"expiryDays":1.5}'],
  ['POST', '/_emulator/users', '{"name":"bad name with spaces"}'],
  ['POST', '/_emulator/users', '{"name":"x","projectPermissions":{"PRJ":"GOD"}}'],
])('%s %s with %s is a 400 naming the problem', async (method, path, raw) => {
  const response = await call(emulator, method, path, { body: raw });
  expect(response.status).toBe(400);
  expectBitbucketError(response);
});

test.each([
  ['/_emulator/users', { name: 'bot', projectPermission: { PRJ: 'PROJECT_ADMIN' } }, 'Invalid user: unknown field "projectPermission" (known: globalPermission, projectPermissions, repositoryPermissions, name, displayName, emailAddress, password)'],
  ['/_emulator/users/admin/permissions', { project: 'PRJ', permission: 'PROJECT_ADMIN' }, 'Invalid permissions: unknown fields "project", "permission" (known: globalPermission, projectPermissions, repositoryPermissions)'],
  ['/_emulator/users/admin/permissions', {}, 'Invalid permissions: give at least one of globalPermission, projectPermissions'],
  ['/_emulator/users/admin/tokens', { permissions: ['REPO_ADMIN'], expiry: 3 }, 'Invalid access token: unknown field "expiry"'],
  ['/_emulator/projects/PRJ/repos/app/push', { branch: 'main', file: {} }, 'Invalid push: unknown field "file" (known: branch, files, message, commit, user)'],
  ['/_emulator/faults', { rate: 0.5, code: 503 }, 'unknown field "code" (known: enabled, rate, status, hang, phase)'],
  ['/_emulator/rate-limit', { limit: 5 }, 'unknown field "limit" (known: enabled, capacity, refillPerSecond)'],
])("the emulator's own endpoint %s refuses what it would otherwise ignore: %j", async (path, body, message) => {
  const response = await call(emulator, 'POST', path, { body });
  expect(response.status).toBe(400);
  expectBitbucketError(response);
  expect((response.body as { errors: Array<{ message: string }> }).errors[0]!.message).toContain(message);
});

test.each([
  ['GET', '/rest/api/latest/nothing-here', 404],
  ['GET', '/rest/api/2.0/projects', 404],
  ['GET', '/totally/unknown', 404],
  ['PATCH', '/rest/api/latest/projects/PRJ', 404],
  ['GET', '/rest/api/latest/projects?start=-1', 400],
  ['GET', '/rest/api/latest/projects?limit=lots', 400],
  ['GET', '/rest/api/latest/projects/PRJ/repos/app/webhooks?statistics=maybe', 400],
  ['GET', '/rest/api/latest/projects/PRJ/repos/app/webhooks/search?scopeType=global', 400],
  ['GET', '/rest/api/latest/projects/%E0%A4%A', 400],
  ['POST', '/rest/api/latest/projects/PRJ/repos/app/webhooks/test', 400],
])('%s %s answers %i with Bitbucket\'s error body', async (method, path, status) => {
  const response = await call(emulator, method, path);
  expect(response.status).toBe(status);
  expectBitbucketError(response);
});

test('a body over 1 MiB is refused with 413 and the error shape', async () => {
  const response = await call(emulator, 'POST', '/rest/api/latest/projects/PRJ/repos/app/webhooks', {
    body: { name: 'x'.repeat(1_100_000), url: 'http://a/', events: ['pr:opened'] },
  });
  expect(response.status).toBe(413);
  expectBitbucketError(response);
  await stillServing();
});

test('any JSON value sent to the write endpoints is answered without a crash', async () => {
  const endpoints: Array<[string, string]> = [
    ['POST', '/rest/api/latest/projects/PRJ/repos/app/webhooks'],
    ['PUT', '/rest/api/latest/projects/PRJ/repos/app/webhooks/1'],
    ['POST', '/rest/api/latest/projects/PRJ/webhooks'],
    ['POST', '/rest/api/latest/projects'],
    ['POST', '/rest/api/latest/projects/PRJ/repos'],
    ['PUT', '/rest/access-tokens/latest/projects/PRJ'],
    ['POST', '/_emulator/projects/PRJ/repos/app/push'],
    ['POST', '/_emulator/faults'],
  ];
  const webhookLike = fc.record(
    {
      name: fc.oneof(fc.string(), fc.integer()),
      // Valid URLs point at a closed loopback port: a random push must never deliver off this machine.
      url: fc.oneof(fc.constantFrom('http://127.0.0.1:9/hook', 'https://127.0.0.1:9/x'), fc.string()),
      events: fc.oneof(fc.array(fc.constantFrom('repo:refs_changed', 'pr:opened', 'nope', '')), fc.string()),
      active: fc.oneof(fc.boolean(), fc.string()),
      configuration: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.anything()),
      key: fc.string(),
      branch: fc.string(),
      rate: fc.oneof(fc.double(), fc.string()),
    },
    { requiredKeys: [] },
  );
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...endpoints), fc.oneof(fc.anything(), webhookLike), async ([method, path], value) => {
      const raw = JSON.stringify(value) ?? 'null';
      const response = await call(emulator, method, path, { body: raw });
      if (response.status >= 400) expectBitbucketError(response);
      // Only Bitbucket's own empty-secret failure is a 5xx; everything else is answered as a client error.
      if (response.status >= 500) expect(JSON.stringify(response.body)).toContain('secret');
      // A random body may have switched fault injection on; the next run must reach the real handlers.
      await call(emulator, 'POST', '/_emulator/faults', { body: { rate: 0 } });
    }),
    { numRuns: 150 },
  );
  await stillServing();
});
