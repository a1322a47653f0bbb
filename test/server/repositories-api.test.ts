import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { closedPort } from '../helpers/http';
import { TestControlPlane } from './harness';

/** GET /api/v1/integrations/bitbucket-datacenter/{id}/repositories against the emulator (SPEC §7.7). */
const server = new TestControlPlane('pglite');
let emulator: RunningEmulator;
let token: string;

beforeAll(async () => {
  await server.start();
  emulator = await startEmulator({ port: 0 });
  for (const key of ['PLAT', 'DATA']) emulator.createProject(key, { name: key === 'PLAT' ? 'Platform' : 'Data' });
  for (const name of ['network', 'dns', 'edge']) emulator.createRepository('PLAT', name);
  emulator.createRepository('DATA', 'warehouse');
  emulator.createRepository('DATA', 'secret-sauce');
  // The account sees PLAT and one repository of DATA.
  token = emulator.createUser({ name: 'svc-liftgate', projectPermissions: { PLAT: 'PROJECT_READ' }, repositoryPermissions: { 'DATA/warehouse': 'REPO_READ' } }).token!;
}, 60_000);
beforeEach(() => server.reset());
afterAll(async () => {
  await emulator?.close();
  await server.stop();
});

const list = (id: string, query = '', key?: string | null) => server.request('GET', `/api/v1/integrations/bitbucket-datacenter/${id}/repositories${query}`, key === undefined ? {} : { key });

test("lists what the integration's account sees, filtered by project and name, paged with X-Next-Cursor", async () => {
  const integration = await server.createIntegration({ name: 'Company', isDefault: true, apiHost: emulator.url, username: 'svc-liftgate', accessToken: token });
  const all = await list(integration.id);
  expect(all.status).toBe(200);
  expect(all.body.map((repository: any) => `${repository.projectKey}/${repository.repositorySlug}`).sort()).toEqual(['DATA/warehouse', 'PLAT/dns', 'PLAT/edge', 'PLAT/network']);
  expect(all.body.find((repository: any) => repository.repositorySlug === 'network')).toEqual({
    projectKey: 'PLAT',
    projectName: 'Platform',
    repositorySlug: 'network',
    name: 'network',
    description: null,
    public: false,
    archived: false,
  });
  expect((await list(integration.id, '?projectKey=data')).body.map((repository: any) => repository.repositorySlug)).toEqual(['warehouse']);
  expect((await list(integration.id, '?filter=ed')).body.map((repository: any) => repository.repositorySlug)).toEqual(['edge']);

  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await list(integration.id, `?projectKey=PLAT&limit=2${cursor === undefined ? '' : `&cursor=${cursor}`}`);
    expect(page.status).toBe(200);
    seen.push(...page.body.map((repository: any) => repository.repositorySlug));
    cursor = page.headers['x-next-cursor'];
  } while (cursor !== undefined);
  expect(seen.sort()).toEqual(['dns', 'edge', 'network']);
  expect((await list(integration.id, '?limit=0')).status).toBe(400);
});

test('a key that may not use the integration gets 404; one that may (read on its space) gets the list', async () => {
  const space = await server.createSpace({ name: 'Team' });
  const integration = await server.createIntegration({ name: 'Team Bitbucket', spaceId: space.id, apiHost: emulator.url, username: 'svc-liftgate', accessToken: token });
  const other = await server.createSpace({ name: 'Other' });
  const outsider = await server.createKey([{ spaceId: other.id, role: 'admin' }]);
  const reader = await server.createKey([{ spaceId: space.id, role: 'read' }]);
  expect((await list(integration.id, '', outsider)).status).toBe(404);
  expect((await list('no-such-integration', '', reader)).status).toBe(404);
  expect((await list(integration.id, '', null)).status).toBe(401);
  const allowed = await list(integration.id, '', reader);
  expect(allowed.status).toBe(200);
  expect(allowed.body).toHaveLength(4);
});

test('Bitbucket refusing the credentials or not answering is a 502 naming the integration, never the token', async () => {
  const revoked = await server.createIntegration({ name: 'Revoked', apiHost: emulator.url, username: 'svc-liftgate', accessToken: 'not-a-valid-token' });
  const refused = await list(revoked.id);
  expect(refused.status).toBe(502);
  expect(refused.body.error).toMatchObject({ code: 'bad_gateway', message: expect.stringMatching(/integration "Revoked" rejected its credentials \(401\)/) });
  expect(JSON.stringify(refused.body)).not.toContain('not-a-valid-token');

  const gone = await server.createIntegration({ name: 'Gone', apiHost: `http://127.0.0.1:${await closedPort()}`, username: 'svc-liftgate', accessToken: token });
  const unreachable = await list(gone.id);
  expect(unreachable.status).toBe(502);
  expect(unreachable.body.error.message).toMatch(/integration "Gone" cannot be reached \(ECONNREFUSED\)/);

  const agent = await server.createIntegration({ name: 'Behind an agent', apiHost: 'private://pool-1', username: 'svc-liftgate', accessToken: token });
  const viaAgent = await list(agent.id);
  expect(viaAgent.status).toBe(502);
  expect(viaAgent.body.error.message).toMatch(/Behind an agent.*no VCS agent of pool pool-1 is connected/);
});
