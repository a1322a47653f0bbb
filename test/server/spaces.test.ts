import { describeEachEngine } from './harness';

describeEachEngine('spaces', (server) => {
  it('has a root space on a fresh store', async () => {
    const root = await server.request('GET', '/api/v1/spaces/root');
    expect(root.status).toBe(200);
    expect(root.body).toMatchObject({ id: 'root', name: 'root', parentSpaceId: null, inheritEntities: false });
  });

  it('creates a space under root by default with a slug-plus-suffix id and the given fields', async () => {
    const created = await server.request('POST', '/api/v1/spaces', {
      body: { name: 'Platform Team', description: 'the **platform**', labels: ['b', 'a', 'a'] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Platform Team',
      parentSpaceId: 'root',
      inheritEntities: false,
      description: 'the **platform**',
      labels: ['a', 'b'],
    });
    expect(created.body.id).toMatch(/^platform-team-[0-9a-f]{6}$/);
    const listed = await server.request('GET', '/api/v1/spaces');
    expect(listed.body.map((space: { id: string }) => space.id)).toEqual(['root', created.body.id]);
    const explicitNull = await server.request('POST', '/api/v1/spaces', { body: { name: 'null parent', parentSpaceId: null } });
    expect(explicitNull.body.parentSpaceId).toBe('root');
  });

  it('refuses to rename, re-parent or delete root', async () => {
    const rename = await server.request('PATCH', '/api/v1/spaces/root', { body: { name: 'top' } });
    expect(rename.status).toBe(422);
    expect(rename.body.error.details.field).toBe('name');
    const other = await server.createSpace({ name: 'other' });
    const move = await server.request('PATCH', '/api/v1/spaces/root', { body: { parentSpaceId: other.id } });
    expect(move.status).toBe(422);
    expect(move.body.error.details.field).toBe('parentSpaceId');
    const unchanged = await server.request('PATCH', '/api/v1/spaces/root', { body: { name: 'root', parentSpaceId: null, labels: ['top'] } });
    expect(unchanged.status).toBe(200);
    const remove = await server.request('DELETE', '/api/v1/spaces/root');
    expect(remove.status).toBe(409);
    expect((await server.request('GET', '/api/v1/spaces/root')).status).toBe(200);
  });

  it('keeps parentSpaceId immutable but updates the other fields', async () => {
    const a = await server.createSpace({ name: 'a' });
    const b = await server.createSpace({ name: 'b' });
    const moved = await server.request('PATCH', `/api/v1/spaces/${b.id}`, { body: { parentSpaceId: a.id } });
    expect(moved.status).toBe(422);
    expect(moved.body.error).toMatchObject({ code: 'unprocessable', details: { field: 'parentSpaceId' } });
    expect(moved.body.error.message).toContain('parentSpaceId');
    const updated = await server.request('PATCH', `/api/v1/spaces/${b.id}`, {
      body: { name: 'b2', parentSpaceId: 'root', inheritEntities: true, labels: ['x'], description: 'd' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id: b.id, name: 'b2', parentSpaceId: 'root', inheritEntities: true, labels: ['x'], description: 'd' });
  });

  it('deletes only empty spaces and names every blocking object in the 409', async () => {
    const team = await server.createSpace({ name: 'team' });
    const child = await server.createSpace({ name: 'child', parentSpaceId: team.id });
    const integration = await server.createIntegration({ name: 'Team BB', spaceId: team.id });
    const stack = await server.createStack({ name: 'app', spaceId: team.id, vcs: { integrationId: integration.id } });

    const refused = await server.request('DELETE', `/api/v1/spaces/${team.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('conflict');
    for (const id of [child.id, stack.id, integration.id]) expect(refused.body.error.message).toContain(id);
    expect(refused.body.error.details).toEqual({ spaces: [child.id], stacks: [stack.id], integrations: [integration.id] });

    expect((await server.request('DELETE', `/api/v1/spaces/${child.id}`)).status).toBe(204);
    expect((await server.request('DELETE', `/api/v1/stacks/${stack.id}`)).status).toBe(204);
    expect((await server.request('DELETE', `/api/v1/integrations/bitbucket-datacenter/${integration.id}`)).status).toBe(200);
    expect((await server.request('DELETE', `/api/v1/spaces/${team.id}`)).status).toBe(204);
    expect((await server.request('GET', `/api/v1/spaces/${team.id}`)).status).toBe(404);
  });

  it('lets access flow down: a role on a space applies to all its descendants', async () => {
    const team = await server.createSpace({ name: 'team' });
    const child = await server.createSpace({ name: 'child', parentSpaceId: team.id });
    const grandchild = await server.createSpace({ name: 'grandchild', parentSpaceId: child.id });
    const teamAdmin = await server.createKey([{ spaceId: team.id, role: 'admin' }]);

    expect((await server.request('GET', `/api/v1/spaces/${grandchild.id}`, { key: teamAdmin })).status).toBe(200);
    const nested = await server.request('POST', '/api/v1/spaces', { body: { name: 'deep', parentSpaceId: grandchild.id }, key: teamAdmin });
    expect(nested.status).toBe(201);
    const visible = (await server.request('GET', '/api/v1/spaces', { key: teamAdmin })).body.map((space: { id: string }) => space.id);
    expect(visible.sort()).toEqual([team.id, child.id, grandchild.id, nested.body.id].sort());
    // Nothing above the binding: root is not readable (404 hides it).
    expect((await server.request('GET', '/api/v1/spaces/root', { key: teamAdmin })).status).toBe(404);
  });

  it('grants read on the parent to a role held on a child that inherits entities, but not on siblings', async () => {
    const parent = await server.createSpace({ name: 'parent' });
    const inheriting = await server.createSpace({ name: 'inheriting', parentSpaceId: parent.id, inheritEntities: true });
    const sibling = await server.createSpace({ name: 'sibling', parentSpaceId: parent.id });
    const isolated = await server.createSpace({ name: 'isolated', parentSpaceId: parent.id });
    const inheritingWriter = await server.createKey([{ spaceId: inheriting.id, role: 'write' }]);
    const isolatedWriter = await server.createKey([{ spaceId: isolated.id, role: 'write' }]);

    expect((await server.request('GET', `/api/v1/spaces/${parent.id}`, { key: inheritingWriter })).status).toBe(200);
    expect((await server.request('GET', `/api/v1/spaces/${sibling.id}`, { key: inheritingWriter })).status).toBe(404);
    // Read only: it cannot change the parent.
    const patch = await server.request('PATCH', `/api/v1/spaces/${parent.id}`, { body: { description: 'x' }, key: inheritingWriter });
    expect(patch.status).toBe(403);
    // Without inheritance there is no read on the parent.
    expect((await server.request('GET', `/api/v1/spaces/${parent.id}`, { key: isolatedWriter })).status).toBe(404);
    // Root is not inherited into: parent does not inherit.
    expect((await server.request('GET', '/api/v1/spaces/root', { key: inheritingWriter })).status).toBe(404);
  });

  it('follows inheritance transitively while each link inherits', async () => {
    const top = await server.createSpace({ name: 'top', inheritEntities: true });
    const middle = await server.createSpace({ name: 'middle', parentSpaceId: top.id, inheritEntities: true });
    const leaf = await server.createSpace({ name: 'leaf', parentSpaceId: middle.id, inheritEntities: true });
    const leafReader = await server.createKey([{ spaceId: leaf.id, role: 'read' }]);
    for (const id of [middle.id, top.id, 'root']) {
      expect((await server.request('GET', `/api/v1/spaces/${id}`, { key: leafReader })).status).toBe(200);
    }
  });

  it('answers 401 without a valid key, 403 without the role, 404 for what the caller cannot read', async () => {
    const team = await server.createSpace({ name: 'team' });
    const hidden = await server.createSpace({ name: 'hidden' });
    const reader = await server.createKey([{ spaceId: team.id, role: 'read' }]);

    const anonymous = await server.request('GET', '/api/v1/spaces', { key: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('unauthorized');
    expect((await server.request('GET', '/api/v1/spaces', { key: 'lgk_not-a-real-key' })).status).toBe(401);
    expect((await server.request('GET', `/api/v1/spaces/${team.id}`, { key: 'lgk_not-a-real-key' })).status).toBe(401);
    // Authentication comes first: a bad body from an unauthenticated caller is still a 401.
    expect((await server.request('POST', '/api/v1/spaces', { body: { name: '' }, key: null })).status).toBe(401);
    expect((await server.request('POST', '/api/v1/stacks', { body: '{broken', key: 'lgk_not-a-real-key' })).status).toBe(401);

    const create = await server.request('POST', '/api/v1/spaces', { body: { name: 'x', parentSpaceId: team.id }, key: reader });
    expect(create.status).toBe(403);
    expect(create.body.error.code).toBe('forbidden');
    // The 403 names the key (never its secret) and what it lacks where.
    const readerKey = (await server.request('GET', '/api/v1/api-keys')).body.find((key: { name: string }) => key.name === 'test key');
    expect(create.body.error.details).toEqual({ spaceId: team.id, role: 'admin', apiKeyId: readerKey.id, apiKeyName: 'test key' });
    expect(JSON.stringify(create.body)).not.toContain(reader);
    expect((await server.request('DELETE', `/api/v1/spaces/${team.id}`, { key: reader })).status).toBe(403);

    // An existing space the caller cannot read and one that does not exist look the same.
    const existing = await server.request('GET', `/api/v1/spaces/${hidden.id}`, { key: reader });
    const missing = await server.request('GET', '/api/v1/spaces/no-such-space', { key: reader });
    expect(existing.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(existing.body.error.code).toBe(missing.body.error.code);
    expect((await server.request('DELETE', `/api/v1/spaces/${hidden.id}`, { key: reader })).status).toBe(404);
    expect((await server.request('POST', '/api/v1/spaces', { body: { name: 'x', parentSpaceId: hidden.id }, key: reader })).status).toBe(404);
  });

  it('refuses to turn off inheritance while a stack depends on it, naming the stack', async () => {
    const parent = await server.createSpace({ name: 'parent' });
    const child = await server.createSpace({ name: 'child', parentSpaceId: parent.id, inheritEntities: true });
    const integration = await server.createIntegration({ name: 'Parent BB', spaceId: parent.id });
    const stack = await server.createStack({ name: 'app', spaceId: child.id, vcs: { integrationId: integration.id } });
    const refused = await server.request('PATCH', `/api/v1/spaces/${child.id}`, { body: { inheritEntities: false } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain(stack.id);
    expect((await server.request('GET', `/api/v1/spaces/${child.id}`)).body.inheritEntities).toBe(true);
  });

  describe('turning inheritance on needs admin on the parent, at every level of the tree', () => {
    // root ← a ← b ← c, none inheriting; an admin key on each, and on each space a stack and an integration
    // (root's integration is space-level, not the default, so only inheritance could reach it).
    let tree: { id: string; parentSpaceId: string; admin: string; integration: string; stack: string }[];

    beforeEach(async () => {
      tree = [];
      let parentSpaceId = 'root';
      for (const name of ['a', 'b', 'c']) {
        const space = await server.createSpace({ name, parentSpaceId });
        tree.push({ id: space.id, parentSpaceId, admin: await server.createKey([{ spaceId: space.id, role: 'admin' }]), integration: '', stack: '' });
        parentSpaceId = space.id;
      }
      for (const level of [{ id: 'root' }, ...tree]) {
        const integration = await server.createIntegration({ name: `bb ${level.id}`, spaceId: level.id });
        const stack = await server.createStack({ name: `stack ${level.id}`, spaceId: level.id, vcs: { integrationId: integration.id } });
        const entry = tree.find((candidate) => candidate.id === level.id);
        if (entry !== undefined) Object.assign(entry, { integration: integration.id, stack: stack.id });
        else tree.unshift({ id: 'root', parentSpaceId: '', admin: server.adminKey, integration: integration.id, stack: stack.id });
      }
    });

    it.each([1, 2, 3])('level %i: its own admin cannot open the parent; an admin of the parent can, when creating or later', async (depth) => {
      const child = tree[depth] as (typeof tree)[number];
      const parent = tree[depth - 1] as (typeof tree)[number];
      const refused = await server.request('PATCH', `/api/v1/spaces/${child.id}`, { body: { inheritEntities: true }, key: child.admin });
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toContain(`needs the admin role on its parent space "${parent.id}"`);
      expect(refused.body.error.details).toMatchObject({ spaceId: parent.id, role: 'admin' });
      // Nothing of the parent opened up: its stack, its integration, and stacks using it stay out of reach.
      expect((await server.request('GET', `/api/v1/spaces/${child.id}`)).body.inheritEntities).toBe(false);
      expect((await server.request('GET', `/api/v1/stacks/${parent.stack}`, { key: child.admin })).status).toBe(404);
      const attach = await server.request('POST', '/api/v1/stacks', {
        body: { name: 'sneaky', spaceId: child.id, vcs: { integrationId: parent.integration, projectKey: 'P', repositorySlug: 'r', branch: 'main' } },
        key: child.admin,
      });
      expect(attach.status).toBe(422);

      const allowed = await server.request('PATCH', `/api/v1/spaces/${child.id}`, { body: { inheritEntities: true }, key: parent.admin });
      expect(allowed.status).toBe(200);
      expect((await server.request('GET', `/api/v1/stacks/${parent.stack}`, { key: child.admin })).status).toBe(200);
      const created = await server.request('POST', '/api/v1/spaces', {
        body: { name: 'opened at birth', parentSpaceId: child.id, inheritEntities: true },
        key: child.admin,
      });
      expect(created.status).toBe(201);
      // The admin of a grandchild cannot reach above the space that let it in.
      const grandchildAdmin = await server.createKey([{ spaceId: created.body.id, role: 'admin' }]);
      if (depth > 1) {
        const above = tree[depth - 2] as (typeof tree)[number];
        expect((await server.request('GET', `/api/v1/stacks/${above.stack}`, { key: grandchildAdmin })).status).toBe(404);
      }
    });

    it('an admin of the child cannot create a sibling that inherits from a parent it does not administer', async () => {
      const [, a, b] = tree as [(typeof tree)[number], (typeof tree)[number], (typeof tree)[number]];
      const refused = await server.request('POST', '/api/v1/spaces', {
        body: { name: 'sibling', parentSpaceId: a.id, inheritEntities: true },
        key: b.admin,
      });
      expect(refused.status).toBe(404);
    });

    it('leaves a PATCH that keeps inheritance as it was to the admin of the space', async () => {
      const opened = await server.createSpace({ name: 'opened', parentSpaceId: tree[1]?.id, inheritEntities: true });
      const admin = await server.createKey([{ spaceId: opened.id, role: 'admin' }]);
      const renamed = await server.request('PATCH', `/api/v1/spaces/${opened.id}`, { body: { name: 'renamed', inheritEntities: true }, key: admin });
      expect(renamed.status).toBe(200);
    });
  });

  it('rejects malformed bodies with 400 and a reason', async () => {
    const empty = await server.request('POST', '/api/v1/spaces', { body: { name: '' } });
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('bad_request');
    expect(empty.body.error.message).toContain('body.name');
    const notJson = await server.request('POST', '/api/v1/spaces', { body: '{"name":' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe('bad_request');
    const wrongType = await server.request('POST', '/api/v1/spaces', { body: { name: 'x', inheritEntities: 'yes' } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.message).toContain('inheritEntities');
  });
});
