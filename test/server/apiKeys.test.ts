import { hashSecret } from '../../src/server/secrets';
import { describeEachEngine } from './harness';

describeEachEngine('API keys', (server) => {
  it('shows the secret once, stores only its hash, and the new key authenticates with its roles', async () => {
    const team = await server.createSpace({ name: 'team' });
    const created = await server.request('POST', '/api/v1/api-keys', { body: { name: 'ci', roles: [{ spaceId: team.id, role: 'write' }] } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'ci', roles: [{ spaceId: team.id, role: 'write' }] });
    const { id, secret } = created.body;
    expect(secret).toMatch(/^lgk_[A-Za-z0-9_-]{40,}$/);

    const listed = await server.request('GET', '/api/v1/api-keys');
    const entry = listed.body.find((key: { id: string }) => key.id === id);
    expect(entry).toEqual({ id, name: 'ci', roles: [{ spaceId: team.id, role: 'write' }], createdAt: created.body.createdAt });
    expect(JSON.stringify(listed.body)).not.toContain(secret);

    const stored = await server.db.query<{ dump: string }>(`SELECT string_agg(row_to_json(k)::text, ' ') AS dump FROM api_keys k`);
    expect(stored[0]?.dump).not.toContain(secret);
    expect(stored[0]?.dump).toContain(hashSecret(secret));

    expect((await server.request('GET', `/api/v1/spaces/${team.id}`, { key: secret })).status).toBe(200);
    expect((await server.request('GET', '/api/v1/spaces/root', { key: secret })).status).toBe(404);
  });

  it('cannot hand out roles on spaces the caller does not administer', async () => {
    const team = await server.createSpace({ name: 'team' });
    const other = await server.createSpace({ name: 'other' });
    const teamAdmin = await server.createKey([{ spaceId: team.id, role: 'admin' }]);
    const teamWriter = await server.createKey([{ spaceId: team.id, role: 'write' }]);
    const ok = await server.request('POST', '/api/v1/api-keys', { body: { name: 'sub', roles: [{ spaceId: team.id, role: 'read' }] }, key: teamAdmin });
    expect(ok.status).toBe(201);
    const escalate = await server.request('POST', '/api/v1/api-keys', { body: { name: 'root', roles: [{ spaceId: 'root', role: 'admin' }] }, key: teamAdmin });
    expect(escalate.status).toBe(404);
    const foreign = await server.request('POST', '/api/v1/api-keys', { body: { name: 'x', roles: [{ spaceId: other.id, role: 'read' }] }, key: teamAdmin });
    expect(foreign.status).toBe(404);
    const writer = await server.request('POST', '/api/v1/api-keys', { body: { name: 'x', roles: [{ spaceId: team.id, role: 'read' }] }, key: teamWriter });
    expect(writer.status).toBe(403);
    const twice = await server.request('POST', '/api/v1/api-keys', {
      body: { name: 'x', roles: [{ spaceId: team.id, role: 'read' }, { spaceId: team.id, role: 'write' }] },
    });
    expect(twice.status).toBe(422);
  });

  it('lists and deletes only the keys the caller manages; a deleted key stops working', async () => {
    const team = await server.createSpace({ name: 'team' });
    const teamAdmin = await server.createKey([{ spaceId: team.id, role: 'admin' }], 'team admin');
    const teamReader = await server.request('POST', '/api/v1/api-keys', { body: { name: 'reader', roles: [{ spaceId: team.id, role: 'read' }] }, key: teamAdmin });
    const visible = (await server.request('GET', '/api/v1/api-keys', { key: teamAdmin })).body.map((key: { name: string }) => key.name);
    expect(visible.sort()).toEqual(['reader', 'team admin']);
    const rootKeyId = (await server.request('GET', '/api/v1/api-keys')).body.find((key: { name: string }) => key.name === 'root admin').id;
    expect((await server.request('DELETE', `/api/v1/api-keys/${rootKeyId}`, { key: teamAdmin })).status).toBe(404);

    expect((await server.request('DELETE', `/api/v1/api-keys/${teamReader.body.id}`, { key: teamAdmin })).status).toBe(204);
    expect((await server.request('GET', '/api/v1/spaces', { key: teamReader.body.secret })).status).toBe(401);
  });

  it('refuses to delete the last root-admin key', async () => {
    const rootKeyId = (await server.request('GET', '/api/v1/api-keys')).body[0].id;
    const refused = await server.request('DELETE', `/api/v1/api-keys/${rootKeyId}`);
    expect(refused.status).toBe(409);
    const second = await server.createKey([{ spaceId: 'root', role: 'admin' }]);
    expect((await server.request('DELETE', `/api/v1/api-keys/${rootKeyId}`, { key: second })).status).toBe(204);
    expect((await server.request('GET', '/api/v1/spaces', { key: server.adminKey })).status).toBe(401);
  });
});
