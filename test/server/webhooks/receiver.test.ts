import { REJECTION_BUDGET } from '../../../src/server/store/deliveries';
import { hubSignatureFor } from '../../../src/server/webhooks/signature';
import { pullRequestEvent, refsChanged } from './bitbucket-payloads';
import { describeEachEngine, type TestControlPlane } from '../harness';
import { signedDelivery } from './signed-delivery';

const network = { projectKey: 'PLAT', slug: 'network' };
const commit = (digit: string) => digit.repeat(40);

interface Integration {
  id: string;
  webhookSecret: string;
}

function suite(server: TestControlPlane) {
  let platform: Integration;
  let company: Integration;
  const stacks: Record<string, string> = {};

  const deliver = async (integration: Integration, eventKey: string, payload: unknown, requestId?: string) =>
    server.send(signedDelivery(integration.id, integration.webhookSecret, eventKey, payload, requestId));

  /** Posts raw bytes with exactly these headers (no signature unless given). */
  const post = (integrationId: string, body: string | Buffer, headers: Record<string, string>) =>
    server.send({ path: `/webhooks/bitbucket-datacenter/${integrationId}`, headers, body: Buffer.from(body) });

  async function runsOf(stackName: string): Promise<any[]> {
    const response = await server.request('GET', `/api/v1/stacks/${stacks[stackName]}/runs`);
    expect(response.status).toBe(200);
    return response.body;
  }

  async function deliveriesOf(integration: { id: string }): Promise<any[]> {
    const response = await server.request('GET', `/api/v1/integrations/bitbucket-datacenter/${integration.id}/deliveries?limit=1000`);
    expect(response.status).toBe(200);
    return response.body;
  }

  async function countRows(table: 'runs' | 'deliveries'): Promise<number> {
    const [row] = await server.db.query<{ count: number }>(`SELECT count(*)::int AS count FROM ${table}`);
    return row.count;
  }

  const stack = async (name: string, vcs: Record<string, unknown>) => (await server.createStack({ name, vcs })).id as string;

  beforeEach(async () => {
    platform = await server.createIntegration({ name: 'Platform Bitbucket' });
    company = await server.createIntegration({ name: 'Company Bitbucket', isDefault: true });
    stacks.prod = await stack('prod', { integrationId: platform.id, projectKey: 'PLAT', repositorySlug: 'network', branch: 'main' });
    stacks.staging = await stack('staging', { integrationId: platform.id, projectKey: 'plat', repositorySlug: 'Network', branch: 'develop' });
    stacks.dns = await stack('dns', { integrationId: platform.id, projectKey: 'PLAT', repositorySlug: 'dns', branch: 'main' });
    stacks.viaDefault = await stack('via-default', { integrationId: null, projectKey: 'PLAT', repositorySlug: 'network', branch: 'main' });
  });

  describe('webhook receiver: authentication', () => {
    const body = JSON.stringify(refsChanged(network, [{ branch: 'main', toHash: commit('1') }]));

    it('answers 404 for an unknown integration', async () => {
      for (const integrationId of ['no-such-integration', '%00']) {
        const response = await post(integrationId, body, {
          'content-type': 'application/json',
          'x-event-key': 'repo:refs_changed',
          'x-hub-signature': hubSignatureFor('x', body),
        });
        expect(response.status).toBe(404);
      }
    });

    it('refuses a delivery without X-Hub-Signature with 401 and records it', async () => {
      const before = await countRows('runs');
      const response = await post(platform.id, body, { 'content-type': 'application/json', 'x-event-key': 'repo:refs_changed', 'x-request-id': 'unsigned-1' });
      expect(response.status).toBe(401);
      expect(response.body.error.message).toMatch(/missing X-Hub-Signature/);
      expect(await countRows('runs')).toBe(before);
      expect((await deliveriesOf(platform))[0]).toMatchObject({ requestId: 'unsigned-1', outcome: 'REJECTED', statusCode: 401 });
    });

    it('records the repository a refused body names (unverified), so drift can tell which webhook is wrong', async () => {
      const pr = JSON.stringify(pullRequestEvent('pr:opened', { projectKey: 'PLAT', slug: 'dns' }, { from: 'a', to: 'main', latestCommit: commit('1') }));
      await post(platform.id, pr, { 'content-type': 'application/json', 'x-event-key': 'pr:opened', 'x-request-id': 'wrong-secret-pr', 'x-hub-signature': hubSignatureFor('stale', pr) });
      await post(platform.id, body, { 'content-type': 'application/json', 'x-event-key': 'repo:refs_changed', 'x-request-id': 'unsigned-push' });
      await post(platform.id, '{"repository": 42}', { 'content-type': 'application/json', 'x-event-key': 'repo:refs_changed', 'x-request-id': 'unsigned-junk' });
      const [junk, push, pullRequest] = await deliveriesOf(platform);
      expect(pullRequest).toMatchObject({ requestId: 'wrong-secret-pr', statusCode: 401, repository: { projectKey: 'PLAT', repositorySlug: 'dns' } });
      expect(push).toMatchObject({ requestId: 'unsigned-push', statusCode: 401, repository: { projectKey: 'PLAT', repositorySlug: 'network' } });
      expect(junk).toMatchObject({ requestId: 'unsigned-junk', statusCode: 401, repository: null });
    });

    it('refuses a signature made with another secret, or over other bytes, with 401', async () => {
      const before = await countRows('runs');
      for (const signature of [hubSignatureFor(company.webhookSecret, body), hubSignatureFor(platform.webhookSecret, `${body} `), 'sha256=00']) {
        const response = await post(platform.id, body, { 'content-type': 'application/json', 'x-event-key': 'repo:refs_changed', 'x-hub-signature': signature });
        expect(response.status).toBe(401);
      }
      expect(await countRows('runs')).toBe(before);
    });

    it('answers a signed diagnostics:ping 200 and records nothing', async () => {
      const deliveries = await countRows('deliveries');
      const runs = await countRows('runs');
      const response = await deliver(platform, 'diagnostics:ping', {});
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ outcome: 'PING', runs: [] });
      expect(await countRows('deliveries')).toBe(deliveries);
      expect(await countRows('runs')).toBe(runs);
    });
  });

  describe('webhook receiver: run triggering', () => {
    it('queues TRACKED on the stack tracking the pushed branch and PROPOSED on the repository’s other stacks', async () => {
      const response = await deliver(platform, 'repo:refs_changed', refsChanged(network, [{ branch: 'main', toHash: commit('2') }]), 'push-main');
      expect(response.status).toBe(200);
      expect(response.body.outcome).toBe('TRIGGERED');
      const byStack = Object.fromEntries(response.body.runs.map((run: any) => [run.stackId, run]));
      expect(Object.keys(byStack).sort()).toEqual([stacks.prod, stacks.staging].sort());
      expect(byStack[stacks.prod]).toMatchObject({ kind: 'TRACKED', state: 'QUEUED', trigger: 'repo:refs_changed', branch: 'main', commit: commit('2') });
      expect(byStack[stacks.staging]).toMatchObject({ kind: 'PROPOSED', state: 'QUEUED', branch: 'main', commit: commit('2') });
      expect((await runsOf('prod'))[0]).toMatchObject({ kind: 'TRACKED', commit: commit('2'), deliveryId: response.body.deliveryId });
      expect(await runsOf('dns')).toEqual([]);
      expect(await runsOf('viaDefault')).toEqual([]);
    });

    it('queues TRACKED for a push to a tracked branch other than main', async () => {
      const response = await deliver(platform, 'repo:refs_changed', refsChanged(network, [{ branch: 'develop', toHash: commit('3') }]));
      const kinds = Object.fromEntries(response.body.runs.map((run: any) => [run.stackId, run.kind]));
      expect(kinds).toEqual({ [stacks.prod]: 'PROPOSED', [stacks.staging]: 'TRACKED' });
    });

    it('reaches stacks on the default integration through the default integration only', async () => {
      const response = await deliver(company, 'repo:refs_changed', refsChanged(network, [{ branch: 'main', toHash: commit('4') }]));
      expect(response.body.runs.map((run: any) => [run.stackId, run.kind])).toEqual([[stacks.viaDefault, 'TRACKED']]);
    });

    it.each(['pr:opened', 'pr:from_ref_updated', 'pr:modified'])(
      'queues a PROPOSED run of the source commit for %s targeting the tracked branch',
      async (eventKey) => {
        const payload = pullRequestEvent(eventKey, network, { id: 17, from: 'feature/subnet', to: 'main', latestCommit: commit('5') });
        const response = await deliver(platform, eventKey, payload);
        expect(response.status).toBe(200);
        expect(response.body.runs).toHaveLength(1);
        expect(response.body.runs[0]).toMatchObject({
          stackId: stacks.prod,
          kind: 'PROPOSED',
          trigger: eventKey,
          branch: 'feature/subnet',
          commit: commit('5'),
          pullRequestId: 17,
          deliveryId: response.body.deliveryId,
        });
      },
    );

    it.each(['pr:reviewer:approved', 'pr:reviewer:unapproved', 'pr:merged', 'pr:comment:added'])(
      'records %s and queues nothing (approvals, merges and ordinary comments start no run)',
      async (eventKey) => {
        const payload = pullRequestEvent(eventKey, network, { id: 18, from: 'feature/quiet', to: 'main', latestCommit: commit('7') });
        const response = await deliver(platform, eventKey, payload, `quiet-${eventKey}`);
        expect(response.status).toBe(200);
        expect(response.body.runs).toEqual([]);
        expect((await deliveriesOf(platform))[0]).toMatchObject({ requestId: `quiet-${eventKey}`, outcome: 'TRIGGERED', runIds: [], reason: expect.stringContaining('starts no run') });
      },
    );

    it('queues nothing for a pull request targeting an untracked branch, but records the delivery', async () => {
      const payload = pullRequestEvent('pr:opened', network, { from: 'feature/x', to: 'release/2', latestCommit: commit('6') });
      const response = await deliver(platform, 'pr:opened', payload, 'pr-to-release');
      expect(response.status).toBe(200);
      expect(response.body.runs).toEqual([]);
      expect((await deliveriesOf(platform))[0]).toMatchObject({
        requestId: 'pr-to-release',
        outcome: 'TRIGGERED',
        repository: { projectKey: 'PLAT', repositorySlug: 'network' },
        runIds: [],
      });
    });

    it('records other events, ignores them and answers 202', async () => {
      const runs = await countRows('runs');
      for (const eventKey of ['pr:declined', 'repo:modified', 'pr:reviewer:needs_work']) {
        const response = await deliver(platform, eventKey, { eventKey }, `ignored-${eventKey}`);
        expect(response.status).toBe(202);
        expect(response.body.outcome).toBe('IGNORED');
        expect((await deliveriesOf(platform))[0]).toMatchObject({ requestId: `ignored-${eventKey}`, eventKey, outcome: 'IGNORED', statusCode: 202 });
      }
      expect(await countRows('runs')).toBe(runs);
    });

    it('answers a repeated X-Request-Id 200 and records nothing new', async () => {
      const payload = refsChanged(network, [{ branch: 'main', toHash: commit('7') }]);
      const first = await deliver(platform, 'repo:refs_changed', payload, 'retried-delivery');
      expect(first.status).toBe(200);
      expect(first.body.runs.length).toBeGreaterThan(0);
      const deliveries = await countRows('deliveries');
      const runs = await countRows('runs');
      const repeat = await deliver(platform, 'repo:refs_changed', payload, 'retried-delivery');
      expect(repeat.status).toBe(200);
      expect(repeat.body).toMatchObject({ outcome: 'DUPLICATE', runs: [] });
      expect(await countRows('deliveries')).toBe(deliveries);
      expect(await countRows('runs')).toBe(runs);
    });

    it('gives a detached stack no runs, also after its integration is re-created with the same name', async () => {
      const temporary: Integration = await server.createIntegration({ name: 'Temporary Bitbucket' });
      stacks.orphan = await stack('orphan', { integrationId: temporary.id, projectKey: 'PLAT', repositorySlug: 'network', branch: 'main' });
      expect((await deliver(temporary, 'repo:refs_changed', refsChanged(network, [{ branch: 'main', toHash: commit('7') }]))).body.runs).toHaveLength(1);
      expect((await server.request('DELETE', `/api/v1/integrations/bitbucket-datacenter/${temporary.id}`)).status).toBe(200);
      const recreated: Integration = await server.createIntegration({ name: 'Temporary Bitbucket' });
      expect(recreated.id).toBe(temporary.id);
      // The re-created integration starts with an empty delivery log and a new secret.
      expect(await deliveriesOf(recreated)).toEqual([]);
      expect(recreated.webhookSecret).not.toBe(temporary.webhookSecret);
      const response = await deliver(recreated, 'repo:refs_changed', refsChanged(network, [{ branch: 'main', toHash: commit('8') }]));
      expect(response.status).toBe(200);
      expect(response.body.runs).toEqual([]);
      // Only the run from before the integration was deleted.
      expect((await runsOf('orphan')).map((run) => run.commit)).toEqual([commit('7')]);
      // The old secret no longer signs anything.
      expect((await deliver(temporary, 'repo:refs_changed', refsChanged(network, []))).status).toBe(401);
    });
  });

  describe('webhook receiver: bad input', () => {
    it('refuses a body over 1 MiB with 413 and records it', async () => {
      const huge = Buffer.alloc(1024 * 1024 + 1, 'a');
      const response = await post(platform.id, huge, {
        'content-type': 'application/json',
        'x-event-key': 'repo:refs_changed',
        'x-request-id': 'too-large',
        'x-hub-signature': hubSignatureFor(platform.webhookSecret, huge),
      });
      expect(response.status).toBe(413);
      expect(response.body.error.code).toBe('payload_too_large');
      expect((await deliveriesOf(platform))[0]).toMatchObject({ requestId: 'too-large', outcome: 'REJECTED', statusCode: 413 });
    });

    it('accepts a body of exactly 1 MiB', async () => {
      const payload = refsChanged(network, [{ branch: 'feature/padded', toHash: commit('9') }]) as Record<string, unknown>;
      const unpadded = JSON.stringify({ ...payload, padding: '' }).length;
      payload.padding = 'p'.repeat(1024 * 1024 - unpadded);
      const response = await deliver(platform, 'repo:refs_changed', payload);
      expect(Buffer.byteLength(JSON.stringify(payload))).toBe(1024 * 1024);
      expect(response.status).toBe(200);
    });

    it('refuses malformed JSON with 400 and the reason, and records it', async () => {
      const body = '{"changes": [';
      const response = await post(platform.id, body, {
        'content-type': 'application/json',
        'x-event-key': 'repo:refs_changed',
        'x-request-id': 'malformed',
        'x-hub-signature': hubSignatureFor(platform.webhookSecret, body),
      });
      expect(response.status).toBe(400);
      expect(response.body.error.message).toMatch(/^malformed JSON body/);
      expect((await deliveriesOf(platform))[0]).toMatchObject({ requestId: 'malformed', outcome: 'REJECTED', statusCode: 400 });
    });

    it('refuses a payload without the event’s shape with 400 naming the field', async () => {
      const push = refsChanged(network, [{ branch: 'main', toHash: commit('1') }]) as Record<string, unknown>;
      delete push.repository;
      const response = await deliver(platform, 'repo:refs_changed', push);
      expect(response.status).toBe(400);
      expect(response.body.error.message).toMatch(/repository/);

      const pr = pullRequestEvent('pr:opened', network, { from: 'a', to: 'main', latestCommit: commit('1') });
      (pr.pullRequest as Record<string, unknown>).toRef = 'main';
      const prResponse = await deliver(platform, 'pr:opened', pr);
      expect(prResponse.status).toBe(400);
      expect(prResponse.body.error.message).toMatch(/pullRequest\.toRef/);
    });

    it('refuses text PostgreSQL cannot store with 400, not 500, and records the refusal', async () => {
      const body = JSON.stringify(refsChanged({ projectKey: 'PLAT', slug: 'net\ud800work' }, [{ branch: 'main', toHash: commit('1') }]));
      expect(body).toContain('\\ud800');
      const response = await post(platform.id, body, {
        'content-type': 'application/json',
        'x-event-key': 'repo:refs_changed',
        'x-request-id': 'lone-surrogate',
        'x-hub-signature': hubSignatureFor(platform.webhookSecret, body),
      });
      expect(response.status).toBe(400);
      expect((await deliveriesOf(platform))[0]).toMatchObject({ requestId: 'lone-surrogate', outcome: 'REJECTED', statusCode: 400 });
    });

    it('refuses a signed delivery without X-Event-Key with 400', async () => {
      const body = '{}';
      const response = await post(platform.id, body, { 'x-hub-signature': hubSignatureFor(platform.webhookSecret, body), 'content-type': 'application/json' });
      expect(response.status).toBe(400);
      expect(response.body.error.message).toMatch(/X-Event-Key/);
    });

    it('reads the body whatever Content-Type claims, because the signature covers the bytes', async () => {
      const body = JSON.stringify(refsChanged(network, [{ branch: 'main', toHash: commit('a') }]));
      for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', undefined]) {
        const response = await post(platform.id, body, {
          ...(contentType === undefined ? {} : { 'content-type': contentType }),
          'x-event-key': 'repo:refs_changed',
          'x-hub-signature': hubSignatureFor(platform.webhookSecret, body),
        });
        expect(response.status).toBe(200);
      }
    });
  });

  describe('webhook receiver: hostile senders', () => {
    it('queues nothing when a captured signed body is replayed with new X-Request-Ids (one run per stack, kind and commit)', async () => {
      const captured = signedDelivery(platform.id, platform.webhookSecret, 'repo:refs_changed', refsChanged(network, [{ branch: 'main', toHash: commit('c') }]));
      const first = await server.send(captured);
      expect(first.status).toBe(200);
      expect(first.body.runs.map((run: { kind: string }) => run.kind).sort()).toEqual(['PROPOSED', 'TRACKED']);
      const runs = await countRows('runs');
      const replays = await Promise.all(
        ['replay-1', 'replay-2', 'replay-3', 'replay-4'].map(
          (requestId) =>
            server.send({ ...captured, headers: { ...captured.headers, 'x-request-id': requestId } }),
        ),
      );
      for (const replay of replays) {
        expect(replay.status).toBe(200);
        expect(replay.body).toMatchObject({ outcome: 'TRIGGERED', runs: [] });
        expect(replay.body.message).toBe(
          '0 run(s) queued; 2 not queued again: the stack already has a run of that kind for that commit (one run per stack, kind and commit)',
        );
      }
      expect(await countRows('runs')).toBe(runs);
      expect((await runsOf('prod')).filter((run) => run.commit === commit('c'))).toHaveLength(1);
      // The replays are in the log, each with its reason and no runs.
      const logged = (await deliveriesOf(platform)).filter((entry) => entry.requestId.startsWith('replay-'));
      expect(logged.map((entry) => entry.runIds)).toEqual([[], [], [], []]);
    });

    it('cuts unverified headers to their limits and keeps no markup from them or from the unsigned body', async () => {
      const hostileBody = JSON.stringify({ repository: { slug: '<img src=x onerror=alert(1)>', project: { key: 'PLAT' } } });
      await post(platform.id, hostileBody, { 'content-type': 'application/json', 'x-event-key': 'repo:refs_changed', 'x-request-id': 'r'.repeat(10_000) });
      const unsigned = JSON.stringify(refsChanged(network, [{ branch: 'main', toHash: commit('d') }]));
      await post(platform.id, unsigned, { 'content-type': 'application/json', 'x-event-key': '<script>alert(1)</script>', 'x-request-id': '<script>' });
      const [markup, long] = await deliveriesOf(platform);
      expect(long).toMatchObject({ requestId: 'r'.repeat(255), eventKey: 'repo:refs_changed', repository: null, outcome: 'REJECTED' });
      expect(markup).toMatchObject({ requestId: null, eventKey: null, outcome: 'REJECTED', statusCode: 401 });
    });

    it(`grows the store by a bounded amount under a flood of 10,000 unsigned requests`, async () => {
      const sizeOfLog = async () => {
        const [row] = await server.db.query<{ rows: number; bytes: number }>(
          `SELECT (SELECT count(*) FROM deliveries)::int AS rows, pg_total_relation_size('deliveries')::int AS bytes`,
        );
        return row as { rows: number; bytes: number };
      };
      const before = await sizeOfLog();
      const started = Date.now();
      const flood = JSON.stringify(refsChanged(network, [{ branch: 'main', toHash: commit('f') }]));
      const statuses = new Map<number, number>();
      let sent = 0;
      await Promise.all(
        Array.from({ length: 32 }, async () => {
          while (sent < 10_000) {
            sent += 1;
            const response = await server.send({
              path: `/webhooks/bitbucket-datacenter/${platform.id}`,
              headers: { 'content-type': 'application/json', 'x-event-key': 'repo:refs_changed', 'x-request-id': `flood-${sent}-${'x'.repeat(400)}` },
              body: Buffer.from(flood),
            });
            statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          }
        }),
      );
      expect([...statuses]).toEqual([[401, 10_000]]);
      const after = await sizeOfLog();
      // Per window of the budget the flood touches: its single entries and one entry that counts the rest; the
      // counter's updates stay on their page. (The review measured 8.3 MB for 500 requests before there was a budget.)
      const windows = Math.ceil((Date.now() - started) / (REJECTION_BUDGET.windowSeconds * 1000)) + 1;
      expect(after.rows - before.rows).toBeLessThanOrEqual((REJECTION_BUDGET.perWindow + 1) * windows);
      expect(after.bytes - before.bytes).toBeLessThan(256 * 1024);
      const log = await deliveriesOf(platform);
      expect(log.reduce((total, entry) => total + entry.count, 0)).toBe(10_000);
      expect(log[0]).toMatchObject({ outcome: 'REJECTED', statusCode: 401 });
    }, 180_000);
  });

  describe('delivery log access', () => {
    it('shows the log only to admins of the integration’s space', async () => {
      const path = `/api/v1/integrations/bitbucket-datacenter/${platform.id}/deliveries`;
      expect((await server.request('GET', path, { key: await server.createKey([{ spaceId: 'root', role: 'read' }]) })).status).toBe(403);
      expect((await server.request('GET', path, { key: await server.createKey([]) })).status).toBe(404);
      expect((await server.request('GET', path, { key: null })).status).toBe(401);
    });

    it('pages the log newest first with X-Next-Cursor', async () => {
      for (const eventKey of ['pr:declined', 'pr:deleted', 'repo:modified', 'repo:forked', 'project:modified', 'pr:reviewer:updated']) {
        await deliver(platform, eventKey, { eventKey });
      }
      const all = await deliveriesOf(platform);
      expect(all.map((delivery) => delivery.eventKey)).toEqual(['pr:reviewer:updated', 'project:modified', 'repo:forked', 'repo:modified', 'pr:deleted', 'pr:declined']);
      const first = await server.request('GET', `/api/v1/integrations/bitbucket-datacenter/${platform.id}/deliveries?limit=3`);
      expect(first.body).toEqual(all.slice(0, 3));
      const cursor = first.headers['x-next-cursor'];
      expect(cursor).toMatch(/^\d+$/);
      const second = await server.request('GET', `/api/v1/integrations/bitbucket-datacenter/${platform.id}/deliveries?limit=3&cursor=${cursor}`);
      expect(second.body).toEqual(all.slice(3, 6));
    });
  });
}

describeEachEngine('webhook receiver', suite);
