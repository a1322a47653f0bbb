import { UnprocessableError } from '../../src/server/errors';
import { accessTokenContext, SecretBox, webhookSecretContext } from '../../src/server/secrets';
import { describeEachEngine } from './harness';

const base = '/api/v1/integrations/bitbucket-datacenter';
const TOKEN = 'BBDC-secret-token-7d2f9a1c5e';

describeEachEngine('Bitbucket DC integrations', (server) => {
  it('creates an integration with every field, an id slugged from the name, a derived webhook URL and a fresh secret', async () => {
    const team = await server.createSpace({ name: 'team' });
    const created = await server.request('POST', base, {
      body: {
        name: 'Team Bitbucket (EU)',
        spaceId: team.id,
        apiHost: 'https://bitbucket.eu.example.com',
        userFacingHost: 'https://git.example.com',
        username: 'svc-liftgate',
        accessToken: TOKEN,
        labels: ['eu', 'team'],
        description: 'The **EU** server',
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: 'team-bitbucket-eu',
      name: 'Team Bitbucket (EU)',
      isDefault: false,
      spaceId: team.id,
      apiHost: 'https://bitbucket.eu.example.com',
      userFacingHost: 'https://git.example.com',
      username: 'svc-liftgate',
      labels: ['eu', 'team'],
      description: 'The **EU** server',
      webhookUrl: `${server.publicUrl}/webhooks/bitbucket-datacenter/team-bitbucket-eu`,
    });
    expect(created.body.webhookSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(created.body).not.toHaveProperty('accessToken');
    expect(JSON.stringify(created.body)).not.toContain(TOKEN);
  });

  it('defaults userFacingHost to an https apiHost, and leaves it empty for private:// hosts', async () => {
    const direct = await server.createIntegration({ name: 'direct', apiHost: 'https://bb.example.com' });
    expect(direct.userFacingHost).toBe('https://bb.example.com');
    const behindAgent = await server.createIntegration({ name: 'private', apiHost: 'private://eu-pool' });
    expect(behindAgent.userFacingHost).toBeNull();
    // Clients that send every attribute send null for unset ones.
    const explicitNulls = await server.createIntegration({ name: 'nulls', apiHost: 'https://n.example.com', spaceId: null, userFacingHost: null });
    expect(explicitNulls).toMatchObject({ spaceId: 'root', userFacingHost: 'https://n.example.com' });
  });

  it('resets userFacingHost to its default with null, and follows a changed apiHost while unset', async () => {
    const created = await server.createIntegration({ name: 'hosts', apiHost: 'https://a.example.com', userFacingHost: 'https://people.example.com' });
    expect(created.userFacingHost).toBe('https://people.example.com');
    const reset = await server.request('PATCH', `${base}/${created.id}`, { body: { userFacingHost: null } });
    expect(reset.body.userFacingHost).toBe('https://a.example.com');
    const moved = await server.request('PATCH', `${base}/${created.id}`, { body: { apiHost: 'https://b.example.com', accessToken: TOKEN } });
    expect(moved.body.userFacingHost).toBe('https://b.example.com');
    const bad = await server.request('PATCH', `${base}/${created.id}`, { body: { userFacingHost: 'ftp://x' } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.field).toBe('userFacingHost');
  });

  it('rejects an apiHost that is neither https:// nor private:// (http only on loopback)', async () => {
    for (const apiHost of ['http://bitbucket.example.com', 'ftp://x', 'not a url', 'https://user:pw@bb.example.com', 'private://']) {
      const refused = await server.request('POST', base, {
        body: { name: 'bad', apiHost, username: 'u', accessToken: TOKEN },
      });
      expect(refused.status).toBe(422);
      expect(refused.body.error.details.field).toBe('apiHost');
    }
    expect((await server.request('POST', base, { body: { name: 'local', apiHost: 'http://127.0.0.1:7990', username: 'u', accessToken: TOKEN } })).status).toBe(201);
  });

  it('refuses hosts outside --allowed-bitbucket-hosts before calling anything, on create and on change', async () => {
    const integration = await server.createIntegration({ name: 'allowed', apiHost: 'https://a.example.com' });
    for (const apiHost of ['https://169.254.169.254', 'https://[fe80::1]:8443', 'https://0.0.0.0']) {
      const created = await server.request('POST', base, { body: { name: 'metadata', apiHost, username: 'u', accessToken: TOKEN } });
      expect([apiHost, created.status, created.body.error.details]).toEqual([apiHost, 422, { field: 'apiHost', problem: 'not-allowed' }]);
      const changed = await server.request('PATCH', `${base}/${integration.id}`, { body: { apiHost, accessToken: TOKEN } });
      expect([apiHost, changed.status, changed.body.error.details]).toEqual([apiHost, 422, { field: 'apiHost', problem: 'not-allowed' }]);
    }
    expect(server.verifier.calls).toHaveLength(1);
  });

  it('keeps name and isDefault immutable: a PATCH that tries is a 422 naming the field', async () => {
    const created = await server.createIntegration({ name: 'main' });
    const rename = await server.request('PATCH', `${base}/${created.id}`, { body: { name: 'other' } });
    expect(rename.status).toBe(422);
    expect(rename.body.error.details.field).toBe('name');
    expect(rename.body.error.message).toContain('name');
    const promote = await server.request('PATCH', `${base}/${created.id}`, { body: { isDefault: true } });
    expect(promote.status).toBe(422);
    expect(promote.body.error.details.field).toBe('isDefault');
    expect(promote.body.error.message).toContain('isDefault');
    // Sending the unchanged values (as a full-object client does) is not an attempt to change them.
    const same = await server.request('PATCH', `${base}/${created.id}`, { body: { name: 'main', isDefault: false, labels: ['x'] } });
    expect(same.status).toBe(200);
    expect(same.body.labels).toEqual(['x']);
  });

  it('allows one default integration per provider (409 for a second), and it lives in root', async () => {
    const first = await server.createIntegration({ name: 'default one', isDefault: true });
    expect(first.spaceId).toBe('root');
    const second = await server.request('POST', base, {
      body: { name: 'default two', isDefault: true, apiHost: 'https://b.example.com', username: 'u', accessToken: TOKEN },
    });
    expect(second.status).toBe(409);
    expect(second.body.error.message).toContain(first.id);
    const team = await server.createSpace({ name: 'team' });
    const outsideRoot = await server.request('POST', base, {
      body: { name: 'team default', isDefault: true, spaceId: team.id, apiHost: 'https://b.example.com', username: 'u', accessToken: TOKEN },
    });
    expect(outsideRoot.status).toBe(422);
    expect(outsideRoot.body.error.details.field).toBe('spaceId');
  });

  it('keeps one default integration when several are created at once', async () => {
    const attempts = await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map((suffix) =>
        server.request('POST', base, {
          body: { name: `default ${suffix}`, isDefault: true, apiHost: 'https://b.example.com', username: 'u', accessToken: TOKEN },
        }),
      ),
    );
    expect(attempts.map((attempt) => attempt.status).sort()).toEqual([201, 409, 409, 409, 409]);
    const defaults = (await server.request('GET', base)).body.filter((integration: { isDefault: boolean }) => integration.isDefault);
    expect(defaults).toHaveLength(1);
  });

  it('makes names unique per account (same slug → 409)', async () => {
    await server.createIntegration({ name: 'Main BB' });
    const duplicate = await server.request('POST', base, {
      body: { name: 'main bb', apiHost: 'https://b.example.com', username: 'u', accessToken: TOKEN },
    });
    expect(duplicate.status).toBe(409);
  });

  it('tells an admin of another space only that a name is taken, nothing about the integration that took it', async () => {
    const hidden = await server.createSpace({ name: 'hidden' });
    const mine = await server.createSpace({ name: 'mine' });
    await server.createIntegration({ name: 'Payments BB', spaceId: hidden.id, labels: ['pci'], description: 'card data' });
    const admin = await server.createKey([{ spaceId: mine.id, role: 'admin' }]);
    const clash = await server.request('POST', base, {
      body: { name: 'payments bb', spaceId: mine.id, apiHost: 'https://b.example.com', username: 'u', accessToken: TOKEN },
      key: admin,
    });
    expect(clash.status).toBe(409);
    expect(clash.body.error).toEqual({
      code: 'conflict',
      message: 'the name is not available: its id "payments-bb" is taken (integration names are unique per account)',
      details: { field: 'name' },
    });
    expect(JSON.stringify(clash.body)).not.toContain(hidden.id);
  });

  it('never returns, logs or stores the access token in the clear', async () => {
    const created = await server.createIntegration({ name: 'secretive', accessToken: TOKEN });
    const responses = [
      created,
      (await server.request('GET', `${base}/${created.id}`)).body,
      (await server.request('GET', base)).body,
      (await server.request('PATCH', `${base}/${created.id}`, { body: { accessToken: `${TOKEN}-2`, description: 'rotated' } })).body,
    ];
    for (const body of responses) expect(JSON.stringify(body)).not.toContain(TOKEN);
    const rows = await server.db.query<{ dump: string }>(
      `SELECT coalesce(string_agg(t::text, ' '), '') AS dump FROM (
         SELECT row_to_json(i)::text AS t FROM integrations i UNION ALL SELECT row_to_json(s)::text FROM settings s) all_rows`,
    );
    expect(rows[0]?.dump).toContain('access_token_encrypted');
    expect(rows[0]?.dump).not.toContain(TOKEN);
    expect(rows[0]?.dump).not.toContain(created.webhookSecret);
    expect(server.logLines.length).toBeGreaterThan(0);
    expect(server.logLines.join('')).not.toContain(TOKEN);
    // The token is what the credential check received, so it is stored recoverably (encrypted), not dropped.
    expect(server.verifier.calls.map((call) => call.accessToken)).toEqual([TOKEN, `${TOKEN}-2`]);
  });

  it('lists integrations to readers of their space, but shows details only to admins of it', async () => {
    const team = await server.createSpace({ name: 'team' });
    const other = await server.createSpace({ name: 'other' });
    const teamIntegration = await server.createIntegration({ name: 'team bb', spaceId: team.id });
    await server.createIntegration({ name: 'other bb', spaceId: other.id });
    const defaultIntegration = await server.createIntegration({ name: 'company bb', isDefault: true });
    const teamReader = await server.createKey([{ spaceId: team.id, role: 'read' }]);
    const teamAdmin = await server.createKey([{ spaceId: team.id, role: 'admin' }]);

    const listed = await server.request('GET', base, { key: teamReader });
    expect(listed.status).toBe(200);
    expect(listed.body.map((integration: { id: string }) => integration.id).sort()).toEqual([defaultIntegration.id, teamIntegration.id].sort());
    for (const summary of listed.body) {
      expect(summary).not.toHaveProperty('webhookSecret');
      expect(summary).not.toHaveProperty('username');
      expect(summary.webhookUrl).toContain(summary.id);
    }
    expect((await server.request('GET', `${base}/${teamIntegration.id}`, { key: teamReader })).status).toBe(403);
    expect((await server.request('GET', `${base}/other-bb`, { key: teamReader })).status).toBe(404);

    const details = await server.request('GET', `${base}/${teamIntegration.id}`, { key: teamAdmin });
    expect(details.status).toBe(200);
    expect(details.body).toMatchObject({ username: 'svc-liftgate', webhookSecret: teamIntegration.webhookSecret });
    // The default integration is listed to every key, but its details need admin on root.
    expect((await server.request('GET', `${base}/${defaultIntegration.id}`, { key: teamAdmin })).status).toBe(403);
    expect((await server.request('GET', `${base}/${defaultIntegration.id}`)).status).toBe(200);
  });

  it('lists a parent space integration to a key on a child that inherits entities', async () => {
    const parent = await server.createSpace({ name: 'parent' });
    const child = await server.createSpace({ name: 'child', parentSpaceId: parent.id, inheritEntities: true });
    const parentIntegration = await server.createIntegration({ name: 'parent bb', spaceId: parent.id });
    const childWriter = await server.createKey([{ spaceId: child.id, role: 'write' }]);
    const listed = await server.request('GET', base, { key: childWriter });
    expect(listed.body.map((integration: { id: string }) => integration.id)).toEqual([parentIntegration.id]);
  });

  it('needs admin on the space to create, change or delete an integration', async () => {
    const team = await server.createSpace({ name: 'team' });
    const writer = await server.createKey([{ spaceId: team.id, role: 'write' }]);
    const create = await server.request('POST', base, {
      body: { name: 'x', spaceId: team.id, apiHost: 'https://b.example.com', username: 'u', accessToken: TOKEN },
      key: writer,
    });
    expect(create.status).toBe(403);
    const integration = await server.createIntegration({ name: 'team bb', spaceId: team.id });
    expect((await server.request('PATCH', `${base}/${integration.id}`, { body: { description: 'x' }, key: writer })).status).toBe(403);
    expect((await server.request('DELETE', `${base}/${integration.id}`, { key: writer })).status).toBe(403);
    expect((await server.request('DELETE', `${base}/${integration.id}`, { key: null })).status).toBe(401);
  });

  it('detaches the stacks of a deleted integration and names them in the response', async () => {
    const team = await server.createSpace({ name: 'team' });
    const integration = await server.createIntegration({ name: 'team bb', spaceId: team.id });
    const first = await server.createStack({ name: 'first', spaceId: team.id, vcs: { integrationId: integration.id } });
    const second = await server.createStack({ name: 'second', spaceId: team.id, vcs: { integrationId: integration.id } });
    const deleted = await server.request('DELETE', `${base}/${integration.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.id).toBe(integration.id);
    expect(deleted.body.detachedStacks).toEqual(
      expect.arrayContaining([
        { id: first.id, name: 'first' },
        { id: second.id, name: 'second' },
      ]),
    );
    expect(deleted.body.detachedStacks).toHaveLength(2);
    const stack = await server.request('GET', `/api/v1/stacks/${first.id}`);
    expect(stack.body.detached).toBe(true);
    expect(stack.body.vcs.integrationId).toBeNull();
    expect((await server.request('GET', `${base}/${integration.id}`)).status).toBe(404);
  });

  it('detaches the stacks that used the default integration implicitly when it is deleted', async () => {
    const defaultIntegration = await server.createIntegration({ name: 'company bb', isDefault: true });
    const stack = await server.createStack({ name: 'implicit' });
    expect(stack.vcs.integrationId).toBeNull();
    const deleted = await server.request('DELETE', `${base}/${defaultIntegration.id}`);
    expect(deleted.body.detachedStacks).toEqual([{ id: stack.id, name: 'implicit' }]);
    expect((await server.request('GET', `/api/v1/stacks/${stack.id}`)).body.detached).toBe(true);
  });

  it('gives a re-created integration of the same name the same webhook URL and a new secret, without re-attaching stacks', async () => {
    const first = await server.createIntegration({ name: 'Main BB' });
    const stack = await server.createStack({ name: 'app', vcs: { integrationId: first.id } });
    expect((await server.request('DELETE', `${base}/${first.id}`)).status).toBe(200);
    const again = await server.createIntegration({ name: 'Main BB' });
    expect(again.id).toBe(first.id);
    expect(again.webhookUrl).toBe(first.webhookUrl);
    expect(again.webhookSecret).not.toBe(first.webhookSecret);
    const after = await server.request('GET', `/api/v1/stacks/${stack.id}`);
    expect(after.body).toMatchObject({ detached: true, vcs: { integrationId: null } });
  });

  it('verifies credentials on create and on credential change, not for private:// hosts or other edits', async () => {
    const integration = await server.createIntegration({ name: 'checked', apiHost: 'https://a.example.com', username: 'u1', accessToken: TOKEN });
    expect(server.verifier.calls).toEqual([{ apiHost: 'https://a.example.com', username: 'u1', accessToken: TOKEN }]);
    await server.request('PATCH', `${base}/${integration.id}`, { body: { labels: ['x'], description: 'no credentials here' } });
    expect(server.verifier.calls).toHaveLength(1);
    await server.request('PATCH', `${base}/${integration.id}`, { body: { username: 'u2', accessToken: `${TOKEN}-2` } });
    expect(server.verifier.calls[1]).toEqual({ apiHost: 'https://a.example.com', username: 'u2', accessToken: `${TOKEN}-2` });
    await server.request('PATCH', `${base}/${integration.id}`, { body: { apiHost: 'https://b.example.com', accessToken: `${TOKEN}-3` } });
    expect(server.verifier.calls[2]).toEqual({ apiHost: 'https://b.example.com', username: 'u2', accessToken: `${TOKEN}-3` });
    await server.createIntegration({ name: 'behind agent', apiHost: 'private://pool-1' });
    expect(server.verifier.calls).toHaveLength(3);
  });

  it('never sends the stored token to a new host or user: changing apiHost or username needs accessToken (422)', async () => {
    const integration = await server.createIntegration({ name: 'bound', apiHost: 'https://a.example.com', username: 'u1', accessToken: TOKEN });
    for (const change of [{ apiHost: 'https://attacker.example.com' }, { username: 'someone-else' }, { apiHost: 'https://x.example.com', username: 'x' }]) {
      const refused = await server.request('PATCH', `${base}/${integration.id}`, { body: change });
      expect(refused.status).toBe(422);
      expect(refused.body.error.details).toEqual({ field: 'accessToken' });
      expect(refused.body.error.message).toMatch(/^changing (apiHost|username) needs the access token in the same request/);
    }
    expect(server.verifier.calls).toHaveLength(1);
    const unchanged = (await server.request('GET', `${base}/${integration.id}`)).body;
    expect(unchanged).toMatchObject({ apiHost: 'https://a.example.com', username: 'u1' });
    // Sending the same values again is no change.
    expect((await server.request('PATCH', `${base}/${integration.id}`, { body: { apiHost: 'https://a.example.com', username: 'u1' } })).status).toBe(200);
  });

  it('seals the stored token to its host and username, so no other host or user can open it', async () => {
    const integration = await server.createIntegration({ name: 'sealed', apiHost: 'https://a.example.com', username: 'u1', accessToken: TOKEN });
    const [row] = await server.db.query<{ access_token_encrypted: string }>('SELECT access_token_encrypted FROM integrations WHERE id = $1', [
      integration.id,
    ]);
    const box = new SecretBox(server.encryptionKey);
    const sealed = row?.access_token_encrypted as string;
    expect(box.decrypt(sealed, accessTokenContext({ id: integration.id, username: 'u1', apiHost: 'https://a.example.com' }))).toBe(TOKEN);
    expect(() => box.decrypt(sealed, accessTokenContext({ id: integration.id, username: 'u1', apiHost: 'https://attacker.example.com' }))).toThrow();
    expect(() => box.decrypt(sealed, accessTokenContext({ id: integration.id, username: 'u2', apiHost: 'https://a.example.com' }))).toThrow();
    expect(() => box.decrypt(sealed, integration.id)).toThrow();
  });

  it('verifies every token it is given, the stored one too, so a PATCH cannot confirm a guess', async () => {
    const integration = await server.createIntegration({ name: 'no oracle', accessToken: TOKEN });
    server.verifier.failure = new UnprocessableError('credential verification failed: Bitbucket rejected the credentials (401)', {
      field: 'accessToken',
      problem: 'unauthorized',
    });
    const same = await server.request('PATCH', `${base}/${integration.id}`, { body: { accessToken: TOKEN } });
    const other = await server.request('PATCH', `${base}/${integration.id}`, { body: { accessToken: 'a-guess' } });
    expect([same.status, other.status]).toEqual([422, 422]);
    expect(same.body).toEqual(other.body);
    expect(server.verifier.calls.map((call) => call.accessToken)).toEqual([TOKEN, TOKEN, 'a-guess']);
  });

  it('stores webhook secrets sealed, and shows them to admins as they were generated', async () => {
    const integration = await server.createIntegration({ name: 'secret keeper' });
    const [row] = await server.db.query<{ webhook_secret_encrypted: string }>('SELECT webhook_secret_encrypted FROM integrations WHERE id = $1', [
      integration.id,
    ]);
    expect(row?.webhook_secret_encrypted).not.toContain(integration.webhookSecret);
    expect(new SecretBox(server.encryptionKey).decrypt(row?.webhook_secret_encrypted as string, webhookSecretContext(integration.id))).toBe(
      integration.webhookSecret,
    );
    expect((await server.request('GET', `${base}/${integration.id}`)).body.webhookSecret).toBe(integration.webhookSecret);
  });

  it('answers 422 with the verification failure and stores nothing', async () => {
    server.verifier.failure = new UnprocessableError('credential verification failed: Bitbucket rejected the credentials (401)', {
      field: 'accessToken',
      problem: 'unauthorized',
    });
    const refused = await server.request('POST', base, {
      body: { name: 'rejected', apiHost: 'https://a.example.com', username: 'u', accessToken: TOKEN },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.details).toEqual({ field: 'accessToken', problem: 'unauthorized' });
    expect((await server.request('GET', base)).body).toEqual([]);
  });

  it('moves a space-level integration only where its stacks can still use it', async () => {
    const a = await server.createSpace({ name: 'a' });
    const b = await server.createSpace({ name: 'b' });
    const integration = await server.createIntegration({ name: 'movable', spaceId: a.id });
    const moved = await server.request('PATCH', `${base}/${integration.id}`, { body: { spaceId: b.id } });
    expect(moved.status).toBe(200);
    expect(moved.body.spaceId).toBe(b.id);
    const stack = await server.createStack({ name: 'user', spaceId: b.id, vcs: { integrationId: integration.id } });
    const stranding = await server.request('PATCH', `${base}/${integration.id}`, { body: { spaceId: a.id } });
    expect(stranding.status).toBe(409);
    expect(stranding.body.error.message).toContain(stack.id);
  });
});
