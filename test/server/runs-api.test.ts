import { describeEachEngine, type TestControlPlane } from './harness';
import { refsChanged } from './webhooks/bitbucket-payloads';
import { signedDelivery } from './webhooks/signed-delivery';

function suite(server: TestControlPlane) {
  let stackId: string;

  beforeEach(async () => {
    const integration = await server.createIntegration({ name: 'Platform Bitbucket' });
    stackId = (await server.createStack({ name: 'prod', vcs: { integrationId: integration.id, projectKey: 'PLAT', repositorySlug: 'network', branch: 'refs/heads/main' } })).id;
    const payload = refsChanged({ projectKey: 'PLAT', slug: 'network' }, [{ branch: 'feature/x', toHash: 'b'.repeat(40) }]);
    const pushed = await server.send(signedDelivery(integration.id, integration.webhookSecret, 'repo:refs_changed', payload));
    expect(pushed.status).toBe(200);
  });

  it('triggers a TRACKED run of the tracked branch by hand and lists it first', async () => {
    const created = await server.request('POST', `/api/v1/stacks/${stackId}/runs`, { body: { commit: 'c'.repeat(40) } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ stackId, kind: 'TRACKED', state: 'QUEUED', trigger: 'manual', branch: 'main', commit: 'c'.repeat(40), deliveryId: null });
    expect(typeof created.body.triggeredBy).toBe('string');
    const listed = await server.request<any[]>('GET', `/api/v1/stacks/${stackId}/runs`);
    expect(listed.status).toBe(200);
    expect(listed.body.map((run) => [run.trigger, run.kind])).toEqual([
      ['manual', 'TRACKED'],
      ['repo:refs_changed', 'PROPOSED'],
    ]);
  });

  it('triggers without a body: the head of the tracked branch', async () => {
    const response = await server.request('POST', `/api/v1/stacks/${stackId}/runs`);
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ kind: 'TRACKED', commit: null });
  });

  it('needs write on the stack’s space to trigger and read to list', async () => {
    const reader = await server.createKey([{ spaceId: 'root', role: 'read' }]);
    expect((await server.request('POST', `/api/v1/stacks/${stackId}/runs`, { body: {}, key: reader })).status).toBe(403);
    expect((await server.request('GET', `/api/v1/stacks/${stackId}/runs`, { key: reader })).status).toBe(200);
    const writer = await server.createKey([{ spaceId: 'root', role: 'write' }]);
    expect((await server.request('POST', `/api/v1/stacks/${stackId}/runs`, { body: {}, key: writer })).status).toBe(201);
    const nobody = await server.createKey([]);
    expect((await server.request('POST', `/api/v1/stacks/${stackId}/runs`, { body: {}, key: nobody })).status).toBe(404);
    expect((await server.request('GET', `/api/v1/stacks/${stackId}/runs`, { key: nobody })).status).toBe(404);
    expect((await server.request('GET', `/api/v1/stacks/${stackId}/runs`, { key: null })).status).toBe(401);
    expect((await server.request('POST', '/api/v1/stacks/no-such-stack/runs', { body: {} })).status).toBe(404);
  });

  it('takes only a full commit id (400 naming the problem, never a 500) and stores it in lower case', async () => {
    for (const commit of ['\u0000', '$(id)', '../../etc/passwd', 'abc123', 'g'.repeat(40), 'a'.repeat(41), ' '.repeat(40), 42]) {
      const refused = await server.request('POST', `/api/v1/stacks/${stackId}/runs`, { body: { commit } });
      expect([commit, refused.status]).toEqual([commit, 400]);
      expect(refused.body.error.message).toMatch(/^body\.commit: /);
    }
    expect((await server.request('GET', `/api/v1/stacks/${stackId}/runs`)).body).toHaveLength(1);
    const upper = await server.request('POST', `/api/v1/stacks/${stackId}/runs`, { body: { commit: 'ABCDEF0123'.repeat(4) } });
    expect(upper.body.commit).toBe('abcdef0123'.repeat(4));
  });

  it('creates a manual run each time it is asked, also for a commit that already has one', async () => {
    for (let index = 0; index < 2; index++) {
      expect((await server.request('POST', `/api/v1/stacks/${stackId}/runs`, { body: { commit: 'b'.repeat(40) } })).status).toBe(201);
    }
    const runs = (await server.request<any[]>('GET', `/api/v1/stacks/${stackId}/runs`)).body;
    expect(runs.filter((run) => run.trigger === 'manual')).toHaveLength(2);
  });

  it('refuses a manual run of a stack whose stored branch Git would refuse (stored before the check) with 409', async () => {
    await server.db.query(`UPDATE stacks SET branch = 'a..b' WHERE id = $1`, [stackId]);
    const refused = await server.request('POST', `/api/v1/stacks/${stackId}/runs`, { body: {} });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('its vcs.branch must be a valid Git branch name (it contains "..")');
  });

  it('refuses a manual run on a detached stack with 409 and a clear message', async () => {
    const doomed = await server.createIntegration({ name: 'Doomed Bitbucket' });
    const orphan = await server.createStack({ name: 'orphan', vcs: { integrationId: doomed.id, projectKey: 'PLAT', repositorySlug: 'network' } });
    expect((await server.request('DELETE', `/api/v1/integrations/bitbucket-datacenter/${doomed.id}`)).status).toBe(200);
    const refused = await server.request('POST', `/api/v1/stacks/${orphan.id}/runs`, { body: {} });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/detached/);
    expect((await server.request('GET', `/api/v1/stacks/${orphan.id}/runs`)).body).toEqual([]);
  });

  it('pages runs with limit and X-Next-Cursor', async () => {
    await server.request('POST', `/api/v1/stacks/${stackId}/runs`, { body: {} });
    const all = (await server.request<any[]>('GET', `/api/v1/stacks/${stackId}/runs`)).body;
    expect(all).toHaveLength(2);
    const first = await server.request('GET', `/api/v1/stacks/${stackId}/runs?limit=1`);
    expect(first.body).toEqual(all.slice(0, 1));
    const cursor = first.headers['x-next-cursor'];
    const second = await server.request('GET', `/api/v1/stacks/${stackId}/runs?limit=10&cursor=${cursor}`);
    expect(second.body).toEqual(all.slice(1));
    expect(second.headers['x-next-cursor']).toBeUndefined();
    expect((await server.request('GET', `/api/v1/stacks/${stackId}/runs?cursor=abc`)).status).toBe(400);
  });

  it('describes the runs, delivery-log and webhook routes in the OpenAPI document', async () => {
    const document = (await server.request('GET', '/api/v1/openapi.json', { key: null })).body;
    expect(Object.keys(document.paths['/api/v1/stacks/{id}/runs']).sort()).toEqual(['get', 'post']);
    expect(document.paths['/api/v1/integrations/bitbucket-datacenter/{id}/deliveries'].get.responses['200']).toBeDefined();
    expect(Object.keys(document.paths['/webhooks/bitbucket-datacenter/{integrationId}'].post.responses).sort()).toEqual(['200', '202', '400', '401', '404', '413']);
  });

  it('deletes a stack’s runs with the stack', async () => {
    expect((await server.request('DELETE', `/api/v1/stacks/${stackId}`)).status).toBeLessThan(300);
    const [row] = await server.db.query<{ count: number }>('SELECT count(*)::int AS count FROM runs WHERE stack_id = $1', [stackId]);
    expect(row.count).toBe(0);
  });
}

describeEachEngine('runs API', suite);
