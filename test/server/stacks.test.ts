import { describeEachEngine } from './harness';

describeEachEngine('stacks', (server) => {
  it('creates a stack with every field; a null integrationId means the default integration', async () => {
    await server.createIntegration({ name: 'company bb', isDefault: true });
    const team = await server.createSpace({ name: 'team' });
    const created = await server.request('POST', '/api/v1/stacks', {
      body: {
        name: 'Network Prod',
        spaceId: team.id,
        vcs: { integrationId: null, projectKey: 'PLAT', repositorySlug: 'network', branch: 'release', projectRoot: 'envs/prod' },
        autodeploy: true,
        labels: ['prod'],
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Network Prod',
      spaceId: team.id,
      vcs: { integrationId: null, projectKey: 'PLAT', repositorySlug: 'network', branch: 'release', projectRoot: 'envs/prod' },
      autodeploy: true,
      labels: ['prod'],
      detached: false,
      manageState: true,
    });
    expect(created.body.id).toMatch(/^network-prod-[0-9a-f]{6}$/);
    expect((await server.request('GET', `/api/v1/stacks/${created.body.id}`)).body).toEqual(created.body);
  });

  it('takes only a valid Git branch name and a relative projectRoot without ".." (400 naming the field)', async () => {
    const integration = await server.createIntegration({ name: 'checked' });
    const vcs = { integrationId: integration.id, projectKey: 'PLAT', repositorySlug: 'infra' };
    const invalid: [Record<string, unknown>, string][] = [
      [{ branch: '../main' }, 'body.vcs.branch: must be a valid Git branch name (it contains "..")'],
      [{ branch: 'a b' }, 'body.vcs.branch: must be a valid Git branch name (it contains a space)'],
      [{ branch: 'x\u0000' }, 'body.vcs.branch'],
      [{ branch: '-rf' }, 'body.vcs.branch: must be a valid Git branch name (it starts with "-")'],
      [{ branch: 'main', projectRoot: '../../etc' }, 'body.vcs.projectRoot: must be a relative path inside the repository (it contains "..")'],
      [{ branch: 'main', projectRoot: '/etc' }, 'body.vcs.projectRoot: must be a relative path inside the repository (it is absolute)'],
      [{ branch: 'main', projectRoot: 'infra/\u0000' }, 'body.vcs.projectRoot'],
    ];
    for (const [fields, message] of invalid) {
      const refused = await server.request('POST', '/api/v1/stacks', { body: { name: 'bad', vcs: { ...vcs, ...fields } } });
      expect([fields, refused.status]).toEqual([fields, 400]);
      expect(refused.body.error.message).toContain(message);
    }
    const created = await server.createStack({ name: 'good', vcs: { ...vcs, branch: 'refs/heads/release/1.x', projectRoot: 'infra/prod' } });
    expect(created.vcs).toMatchObject({ branch: 'refs/heads/release/1.x', projectRoot: 'infra/prod' });
    const patched = await server.request('PATCH', `/api/v1/stacks/${created.id}`, { body: { vcs: { projectRoot: 'infra/../..' } } });
    expect(patched.status).toBe(400);
    expect((await server.request('GET', `/api/v1/stacks/${created.id}`)).body.vcs.projectRoot).toBe('infra/prod');
  });

  it('manages the state by default; manageState is set on create and changed by PATCH without touching other fields', async () => {
    await server.createIntegration({ name: 'default', isDefault: true });
    expect((await server.createStack({ name: 'managed' })).manageState).toBe(true);
    const own = await server.createStack({ name: 'own backend', manageState: false, autodeploy: true });
    expect(own).toMatchObject({ manageState: false, autodeploy: true });
    const patched = await server.request('PATCH', `/api/v1/stacks/${own.id}`, { body: { manageState: true } });
    expect(patched.body).toMatchObject({ manageState: true, autodeploy: true, name: 'own backend' });
    expect((await server.request('PATCH', `/api/v1/stacks/${own.id}`, { body: { name: 'renamed' } })).body.manageState).toBe(true);
    expect((await server.request('PATCH', `/api/v1/stacks/${own.id}`, { body: { manageState: 'no' } })).status).toBe(400);
  });

  it('refuses a null integrationId when there is no default integration (422)', async () => {
    const refused = await server.request('POST', '/api/v1/stacks', {
      body: { name: 'x', vcs: { projectKey: 'P', repositorySlug: 'r', branch: 'main' } },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.details.field).toBe('vcs.integrationId');
  });

  it('may only reference an integration it can use: own space, inherited ancestors, or the default (422 otherwise)', async () => {
    const company = await server.createIntegration({ name: 'company bb', isDefault: true });
    const parent = await server.createSpace({ name: 'parent' });
    const inheriting = await server.createSpace({ name: 'inheriting', parentSpaceId: parent.id, inheritEntities: true });
    const isolated = await server.createSpace({ name: 'isolated', parentSpaceId: parent.id });
    const sibling = await server.createSpace({ name: 'sibling' });
    const parentIntegration = await server.createIntegration({ name: 'parent bb', spaceId: parent.id });
    const siblingIntegration = await server.createIntegration({ name: 'sibling bb', spaceId: sibling.id });

    await expect(server.createStack({ name: 'own', spaceId: parent.id, vcs: { integrationId: parentIntegration.id } })).resolves.toBeDefined();
    await expect(server.createStack({ name: 'inherits', spaceId: inheriting.id, vcs: { integrationId: parentIntegration.id } })).resolves.toBeDefined();
    await expect(server.createStack({ name: 'default', spaceId: isolated.id, vcs: { integrationId: company.id } })).resolves.toBeDefined();

    for (const [spaceId, integrationId] of [
      [isolated.id, parentIntegration.id],
      [parent.id, siblingIntegration.id],
      [inheriting.id, siblingIntegration.id],
      [parent.id, 'no-such-integration'],
    ]) {
      const refused = await server.request('POST', '/api/v1/stacks', {
        body: { name: 'refused', spaceId, vcs: { integrationId, projectKey: 'P', repositorySlug: 'r', branch: 'main' } },
      });
      expect(refused.status).toBe(422);
      expect(refused.body.error.details.field).toBe('vcs.integrationId');
    }
    // Moving a stack out of reach of its integration is refused the same way.
    const stack = await server.createStack({ name: 'mover', spaceId: inheriting.id, vcs: { integrationId: parentIntegration.id } });
    const move = await server.request('PATCH', `/api/v1/stacks/${stack.id}`, { body: { spaceId: sibling.id } });
    expect(move.status).toBe(422);
  });

  it('keeps a detached stack detached until it is attached to an integration again', async () => {
    const first = await server.createIntegration({ name: 'first bb' });
    const stack = await server.createStack({ name: 'app', vcs: { integrationId: first.id } });
    await server.request('DELETE', `/api/v1/integrations/bitbucket-datacenter/${first.id}`);

    const edited = await server.request('PATCH', `/api/v1/stacks/${stack.id}`, { body: { labels: ['still-detached'], vcs: { branch: 'dev' } } });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ detached: true, labels: ['still-detached'], vcs: { integrationId: null, branch: 'dev' } });

    const second = await server.createIntegration({ name: 'second bb' });
    const attached = await server.request('PATCH', `/api/v1/stacks/${stack.id}`, { body: { vcs: { integrationId: second.id } } });
    expect(attached.status).toBe(200);
    expect(attached.body).toMatchObject({ detached: false, vcs: { integrationId: second.id, branch: 'dev' } });
  });

  it('re-attaches a stack to the default integration with an explicit null', async () => {
    const oldDefault = await server.createIntegration({ name: 'old default', isDefault: true });
    const stack = await server.createStack({ name: 'app' });
    await server.request('DELETE', `/api/v1/integrations/bitbucket-datacenter/${oldDefault.id}`);
    await server.createIntegration({ name: 'new default', isDefault: true });
    expect((await server.request('GET', `/api/v1/stacks/${stack.id}`)).body.detached).toBe(true);
    const attached = await server.request('PATCH', `/api/v1/stacks/${stack.id}`, { body: { vcs: { integrationId: null } } });
    expect(attached.body).toMatchObject({ detached: false, vcs: { integrationId: null } });
  });

  it('needs write on the space to create, change or delete a stack; readers see it; others get 404', async () => {
    const integration = await server.createIntegration({ name: 'company bb', isDefault: true });
    const team = await server.createSpace({ name: 'team' });
    const reader = await server.createKey([{ spaceId: team.id, role: 'read' }]);
    const writer = await server.createKey([{ spaceId: team.id, role: 'write' }]);
    const outsider = await server.createKey([{ spaceId: (await server.createSpace({ name: 'elsewhere' })).id, role: 'admin' }]);

    const body = { name: 'app', spaceId: team.id, vcs: { integrationId: integration.id, projectKey: 'P', repositorySlug: 'r', branch: 'main' } };
    expect((await server.request('POST', '/api/v1/stacks', { body, key: reader })).status).toBe(403);
    const created = await server.request('POST', '/api/v1/stacks', { body, key: writer });
    expect(created.status).toBe(201);
    const id = created.body.id;

    expect((await server.request('GET', `/api/v1/stacks/${id}`, { key: reader })).status).toBe(200);
    expect((await server.request('PATCH', `/api/v1/stacks/${id}`, { body: { autodeploy: true }, key: reader })).status).toBe(403);
    expect((await server.request('GET', `/api/v1/stacks/${id}`, { key: outsider })).status).toBe(404);
    expect((await server.request('DELETE', `/api/v1/stacks/${id}`, { key: outsider })).status).toBe(404);
    expect((await server.request('GET', '/api/v1/stacks', { key: outsider })).body).toEqual([]);
    expect((await server.request('GET', '/api/v1/stacks', { key: reader })).body.map((stack: { id: string }) => stack.id)).toEqual([id]);
    // Moving a stack needs write on the destination too.
    const elsewhere = (await server.request('GET', '/api/v1/spaces')).body.find((space: { name: string }) => space.name === 'elsewhere');
    expect((await server.request('PATCH', `/api/v1/stacks/${id}`, { body: { spaceId: elsewhere.id }, key: writer })).status).toBe(404);
    expect((await server.request('PATCH', `/api/v1/stacks/${id}`, { body: { spaceId: 'root' }, key: writer })).status).toBe(404);
    expect((await server.request('DELETE', `/api/v1/stacks/${id}`, { key: writer })).status).toBe(204);
    expect((await server.request('GET', `/api/v1/stacks/${id}`)).status).toBe(404);
  });

  it('lists the attached stacks an integration serves with ?integrationId', async () => {
    const company = await server.createIntegration({ name: 'company bb', isDefault: true });
    const other = await server.createIntegration({ name: 'other bb' });
    const implicit = await server.createStack({ name: 'implicit' });
    const explicit = await server.createStack({ name: 'explicit', vcs: { integrationId: company.id } });
    await server.createStack({ name: 'elsewhere', vcs: { integrationId: other.id } });
    const served = await server.request('GET', `/api/v1/stacks?integrationId=${company.id}`);
    expect(served.body.map((stack: { id: string }) => stack.id).sort()).toEqual([implicit.id, explicit.id].sort());
    expect((await server.request('GET', '/api/v1/stacks?integrationId=nope')).status).toBe(404);
  });
});
