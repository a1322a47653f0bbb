import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { call } from './http';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  emulator.createProject('PRJ');
  emulator.createRepository('PRJ', 'app');
  emulator.createRepository('PRJ', 'lib');
  emulator.createProject('OPS');
  emulator.createRepository('OPS', 'deploy');
});

afterAll(() => emulator.close());

const webhook = { name: 'w', url: 'http://127.0.0.1:9/hook', events: ['repo:refs_changed'] };
const appWebhooks = '/rest/api/latest/projects/PRJ/repos/app/webhooks';
const projectWebhooks = '/rest/api/latest/projects/PRJ/webhooks';

test('both /rest/api/latest and /rest/api/1.0 answer, and unknown credentials are 401', async () => {
  expect((await call(emulator, 'GET', '/rest/api/1.0/projects/PRJ/repos/app')).status).toBe(200);
  expect((await call(emulator, 'GET', '/rest/api/latest/projects/PRJ/repos/app')).status).toBe(200);
  for (const authorization of ['Bearer nope', 'Basic !!!', 'Digest abc', `Basic ${Buffer.from('admin:wrong').toString('base64')}`]) {
    const response = await call(emulator, 'GET', '/rest/api/latest/projects', { token: null, headers: { Authorization: authorization } });
    expect({ authorization, status: response.status }).toEqual({ authorization, status: 401 });
    expect(response.body).toMatchObject({ errors: [{ exceptionName: expect.stringContaining('Authentication') }] });
  }
  const anonymous = await call(emulator, 'GET', '/rest/api/latest/projects/PRJ/repos/app', { token: null });
  expect(anonymous.status).toBe(401);
  expect(anonymous.body).toEqual({
    errors: [{ context: null, message: 'You are not permitted to access this resource', exceptionName: 'com.atlassian.bitbucket.AuthorisationException' }],
  });
});

test('each permission level allows what Bitbucket allows and answers 401 for the rest', async () => {
  const read = emulator.createUser({ name: 'read', repositoryPermissions: { 'PRJ/app': 'REPO_READ' } }).token;
  const write = emulator.createUser({ name: 'write', repositoryPermissions: { 'PRJ/app': 'REPO_WRITE' } }).token;
  const repoAdmin = emulator.createUser({ name: 'repoadmin', repositoryPermissions: { 'PRJ/app': 'REPO_ADMIN' } }).token;
  const projectRead = emulator.createUser({ name: 'projread', projectPermissions: { PRJ: 'PROJECT_READ' } }).token;
  const projectAdmin = emulator.createUser({ name: 'projadmin', projectPermissions: { PRJ: 'PROJECT_ADMIN' } }).token;
  const sysAdmin = emulator.createUser({ name: 'root', globalPermission: 'SYS_ADMIN' }).token;

  const status = async (token: string | null, method: string, path: string, body?: unknown) =>
    (await call(emulator, method, path, body === undefined ? { token } : { token, body })).status;

  expect(await status(read, 'GET', '/rest/api/latest/projects/PRJ/repos/app')).toBe(200);
  expect(await status(read, 'GET', '/rest/api/latest/projects/PRJ/repos/lib')).toBe(401);
  expect(await status(read, 'GET', '/rest/api/latest/projects/PRJ')).toBe(200);
  expect(await status(read, 'GET', appWebhooks)).toBe(401);
  expect(await status(write, 'POST', appWebhooks, webhook)).toBe(401);
  expect(await status(repoAdmin, 'POST', appWebhooks, webhook)).toBe(200);
  expect(await status(repoAdmin, 'GET', projectWebhooks)).toBe(401);
  expect(await status(projectRead, 'GET', '/rest/api/latest/projects/PRJ/repos/lib')).toBe(200);
  expect(await status(projectRead, 'GET', appWebhooks)).toBe(401);
  expect(await status(projectAdmin, 'POST', projectWebhooks, webhook)).toBe(200);
  expect(await status(projectAdmin, 'GET', '/rest/api/latest/projects/PRJ/repos/lib/webhooks')).toBe(200);
  expect(await status(projectAdmin, 'GET', '/rest/api/latest/projects/OPS/repos/deploy')).toBe(401);
  expect(await status(sysAdmin, 'POST', '/rest/api/latest/projects/OPS/webhooks', webhook)).toBe(200);

  const repos = async (token: string | null, permission: string) =>
    ((await call(emulator, 'GET', `/rest/api/latest/repos?permission=${permission}`, { token })).body as { values: Array<{ slug: string }> }).values
      .map((repository) => repository.slug)
      .sort();
  expect(await repos(write, 'REPO_WRITE')).toEqual(['app']);
  expect(await repos(write, 'REPO_ADMIN')).toEqual([]);
  expect(await repos(projectAdmin, 'REPO_ADMIN')).toEqual(['app', 'lib']);
  expect(await repos(sysAdmin, 'REPO_ADMIN')).toEqual(['app', 'deploy', 'lib']);

  const projects = async (token: string | null, permission?: string) =>
    ((await call(emulator, 'GET', `/rest/api/latest/projects${permission ? `?permission=${permission}` : ''}`, { token })).body as {
      values: Array<{ key: string }>;
    }).values.map((project) => project.key);
  expect(await projects(read)).toEqual(['PRJ']);
  expect(await projects(read, 'PROJECT_READ')).toEqual([]);
  expect(await projects(projectAdmin, 'PROJECT_ADMIN')).toEqual(['PRJ']);
});

test('a token never grants more than its permissions, and project and repository tokens stay in their scope', async () => {
  emulator.createUser({ name: 'capped', password: 'pw', projectPermissions: { PRJ: 'PROJECT_ADMIN' } });
  const readOnly = emulator.createAccessToken({ user: 'capped' }, ['PROJECT_READ', 'REPO_READ']);
  expect((await call(emulator, 'GET', '/rest/api/latest/projects/PRJ/repos/app', { token: readOnly })).status).toBe(200);
  expect((await call(emulator, 'GET', appWebhooks, { token: readOnly })).status).toBe(401);
  expect((await call(emulator, 'GET', appWebhooks, { basic: { username: 'capped', password: 'pw' } })).status).toBe(200);

  const projectToken = emulator.createAccessToken({ projectKey: 'PRJ' }, ['PROJECT_ADMIN']);
  expect((await call(emulator, 'GET', projectWebhooks, { token: projectToken })).status).toBe(200);
  expect((await call(emulator, 'GET', appWebhooks, { token: projectToken })).status).toBe(200);
  expect((await call(emulator, 'GET', '/rest/api/latest/projects/OPS/repos/deploy', { token: projectToken })).status).toBe(401);

  const repositoryToken = emulator.createAccessToken({ projectKey: 'PRJ', repositorySlug: 'app' }, ['REPO_ADMIN']);
  expect((await call(emulator, 'GET', appWebhooks, { token: repositoryToken })).status).toBe(200);
  expect((await call(emulator, 'GET', '/rest/api/latest/projects/PRJ/repos/lib', { token: repositoryToken })).status).toBe(401);
  expect((await call(emulator, 'GET', projectWebhooks, { token: repositoryToken })).status).toBe(401);
  // Project and repository tokens work only as Bearer, never as a password with a username.
  expect((await call(emulator, 'GET', appWebhooks, { basic: { username: 'capped', password: repositoryToken } })).status).toBe(401);
});

test('Basic works with username + token and username + password; the admin token is the admin password', async () => {
  const user = emulator.createUser({ name: 'basic', password: 'hunter2', repositoryPermissions: { 'PRJ/app': 'REPO_ADMIN' } });
  expect((await call(emulator, 'GET', appWebhooks, { basic: { username: 'basic', password: user.token! } })).status).toBe(200);
  expect((await call(emulator, 'GET', appWebhooks, { basic: { username: 'basic', password: 'hunter2' } })).status).toBe(200);
  expect((await call(emulator, 'GET', appWebhooks, { basic: { username: 'read', password: user.token! } })).status).toBe(401);
  const admin = await call(emulator, 'GET', '/rest/api/latest/projects', { basic: { username: 'admin', password: emulator.adminToken } });
  expect(admin.status).toBe(200);
  expect(admin.headers.get('x-ausername')).toBe('admin');
});

test('tokens created over REST authenticate, cannot create tokens, and stop working when deleted', async () => {
  emulator.createUser({ name: 'owner', password: 'pw', repositoryPermissions: { 'PRJ/app': 'REPO_ADMIN' } });
  const created = await call(emulator, 'PUT', '/rest/access-tokens/latest/users/owner', {
    basic: { username: 'owner', password: 'pw' },
    body: { name: 'ci', permissions: ['REPO_ADMIN'] },
  });
  expect(created.status).toBe(200);
  const { id, token } = created.body as { id: string; token: string };
  expect((await call(emulator, 'GET', appWebhooks, { token })).status).toBe(200);
  const byToken = await call(emulator, 'PUT', '/rest/access-tokens/latest/users/owner', { token, body: { name: 'x', permissions: ['REPO_READ'] } });
  expect(byToken.status).toBe(401);
  const otherUser = await call(emulator, 'GET', '/rest/access-tokens/latest/users/admin', { basic: { username: 'owner', password: 'pw' } });
  expect(otherUser.status).toBe(401);
  const deleted = await call(emulator, 'DELETE', `/rest/access-tokens/latest/users/owner/${id}`, { basic: { username: 'owner', password: 'pw' } });
  expect(deleted.status).toBe(204);
  expect((await call(emulator, 'GET', appWebhooks, { token })).status).toBe(401);
});

test('writes without a JSON content type need X-Atlassian-Token: no-check (Bitbucket\'s XSRF check)', async () => {
  const blocked = await fetch(`${emulator.url}/rest/api/latest/projects/PRJ/repos/app/webhooks/test?url=http://127.0.0.1:9/`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${emulator.adminToken}` },
  });
  expect(blocked.status).toBe(403);
  expect(await blocked.text()).toBe('XSRF check failed');
  const json = await fetch(`${emulator.url}${appWebhooks}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${emulator.adminToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(webhook),
  });
  expect(json.status).toBe(200);
});
