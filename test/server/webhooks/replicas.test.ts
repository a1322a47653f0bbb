import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/server/app';
import { ensureRootAdminKey } from '../../../src/server/auth/apiKeys';
import { openDatabase, type Database } from '../../../src/server/store/database';
import { startPostgres, type PostgresCluster } from '../../helpers/postgres';
import { refsChanged } from './bitbucket-payloads';
import { postDelivery, signedDelivery } from './signed-delivery';

/**
 * Several control-plane replicas share one PostgreSQL. Bitbucket (or a load balancer retrying) can hand the same
 * delivery to two of them at once: exactly one may record it and queue its runs.
 */
const REPLICAS = 3;
let cluster: PostgresCluster;
const databases: Database[] = [];
const replicas: { app: FastifyInstance; baseUrl: string }[] = [];
let adminKey: string;

beforeAll(async () => {
  cluster = await startPostgres();
  const url = await cluster.createDatabase('liftgate');
  for (let index = 0; index < REPLICAS; index++) {
    const db = await openDatabase({ url });
    databases.push(db);
    const app = await buildApp({
      db,
      publicUrl: 'https://liftgate.example.com',
      encryptionKey: Buffer.alloc(32, 7),
      verifyCredentials: async () => undefined,
    });
    replicas.push({ app, baseUrl: await app.listen({ host: '127.0.0.1', port: 0 }) });
  }
  adminKey = ((await ensureRootAdminKey(databases[0] as Database)) as { secret: string }).secret;
}, 60_000);

afterAll(async () => {
  for (const { app } of replicas) await app.close();
  for (const db of databases) await db.close();
  await cluster?.stop();
}, 30_000);

async function create(path: string, body: unknown): Promise<any> {
  const response = await fetch(`${replicas[0]?.baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(201);
  return response.json();
}

/** A space-level integration on an https host (credential checks are stubbed on every replica). */
function createIntegration(name: string): Promise<{ id: string; webhookSecret: string }> {
  return create('/api/v1/integrations/bitbucket-datacenter', { name, apiHost: 'https://bitbucket.example.com', username: 'liftgate-bot', accessToken: 'token' });
}

it('records a delivery sent to every replica at once exactly once, with its runs once', async () => {
  const integration = await createIntegration('Shared Bitbucket');
  const stack = await create('/api/v1/stacks', { name: 'prod', vcs: { integrationId: integration.id, projectKey: 'PLAT', repositorySlug: 'network', branch: 'main' } });

  for (let attempt = 0; attempt < 20; attempt++) {
    const delivery = signedDelivery(
      integration.id,
      integration.webhookSecret,
      'repo:refs_changed',
      refsChanged({ projectKey: 'PLAT', slug: 'network' }, [{ branch: 'main', toHash: attempt.toString(16).padStart(40, '0') }]),
      `shared-${attempt}`,
    );
    const answers = await Promise.all(replicas.flatMap(({ baseUrl }) => [postDelivery(baseUrl, delivery), postDelivery(baseUrl, delivery)]));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    const outcomes = answers.map((answer) => (answer.body as { outcome: string }).outcome).sort();
    expect(outcomes).toEqual(['DUPLICATE', 'DUPLICATE', 'DUPLICATE', 'DUPLICATE', 'DUPLICATE', 'TRIGGERED']);
  }
  const [counts] = await (databases[0] as Database).query<{ deliveries: number; runs: number }>(
    `SELECT (SELECT count(*)::int FROM deliveries) AS deliveries, (SELECT count(*)::int FROM runs WHERE stack_id = $1) AS runs`,
    [stack.id],
  );
  expect(counts).toEqual({ deliveries: 20, runs: 20 });
}, 60_000);

it('queues one run when a captured signed body is replayed to every replica at once under new request ids', async () => {
  const integration = await createIntegration('Replayed Bitbucket');
  const stack = await create('/api/v1/stacks', { name: 'replayed', vcs: { integrationId: integration.id, projectKey: 'PLAT', repositorySlug: 'dns', branch: 'main' } });
  for (let attempt = 0; attempt < 20; attempt++) {
    const captured = signedDelivery(
      integration.id,
      integration.webhookSecret,
      'repo:refs_changed',
      refsChanged({ projectKey: 'PLAT', slug: 'dns' }, [{ branch: 'main', toHash: (attempt + 1000).toString(16).padStart(40, '0') }]),
    );
    const replays = replicas.flatMap(({ baseUrl }, replica) =>
      [0, 1].map((copy) => postDelivery(baseUrl, { ...captured, headers: { ...captured.headers, 'x-request-id': `replay-${attempt}-${replica}-${copy}` } })),
    );
    const answers = await Promise.all(replays);
    expect(answers.map((answer) => [answer.status, (answer.body as { outcome: string }).outcome])).toEqual(answers.map(() => [200, 'TRIGGERED']));
    expect(answers.flatMap((answer) => (answer.body as { runs: unknown[] }).runs)).toHaveLength(1);
  }
  const [counts] = await (databases[0] as Database).query<{ runs: number }>('SELECT count(*)::int AS runs FROM runs WHERE stack_id = $1', [stack.id]);
  expect(counts).toEqual({ runs: 20 });
}, 60_000);

it('lets replicas record overlapping batches in opposite orders without deadlocking', async () => {
  const integration = await createIntegration('Batch Bitbucket');
  const record = (requestId: string) => ({
    delivery: {
      integrationId: integration.id,
      requestId,
      eventKey: 'repo:refs_changed',
      repository: { projectKey: 'PLAT', repositorySlug: 'network' },
      outcome: 'TRIGGERED' as const,
      statusCode: 200,
      reason: 'no stack on this repository and branch uses this integration',
    },
    runs: [],
  });
  const { recordAcceptedDeliveries } = await import('../../../src/server/store/deliveries');
  for (let round = 0; round < 10; round++) {
    const ids = Array.from({ length: 40 }, (_, index) => `batch-${round}-${index}`);
    const results = await Promise.all(
      databases.map((db, index) => recordAcceptedDeliveries(db, (index % 2 === 0 ? ids : [...ids].reverse()).map(record))),
    );
    const accepted = results.flat().filter((result) => !result.duplicate);
    expect(accepted).toHaveLength(ids.length);
  }
}, 60_000);
