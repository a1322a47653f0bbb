import { openDatabase, type Database } from '../../../src/server/store/database';
import {
  listDeliveries,
  recordAcceptedDeliveries,
  recordRejectedDelivery,
  type AcceptedDelivery,
  type DeliveryRecord,
} from '../../../src/server/store/deliveries';
import { insertIntegration } from '../../../src/server/store/integrations';
import { listRuns, stacksOnRepositories } from '../../../src/server/store/runs';
import { insertStack } from '../../../src/server/store/stacks';
import type { RunRequest } from '../../../src/server/domain/runs';

let db: Database;

beforeAll(async () => {
  db = await openDatabase({ dataDir: 'memory://' });
  await insertIntegration(db, {
    id: 'platform',
    name: 'platform',
    isDefault: false,
    spaceId: 'root',
    apiHost: 'https://bitbucket.example.com',
    userFacingHost: null,
    username: 'svc',
    accessTokenEncrypted: 'not-a-real-ciphertext',
    webhookSecret: 's'.repeat(64),
    labels: [],
    description: '',
  });
  await insertStack(db, 'network', {
    name: 'network',
    spaceId: 'root',
    vcs: { integrationId: 'platform', projectKey: 'PLAT', repositorySlug: 'network', branch: 'main', projectRoot: '' },
    autodeploy: false,
    labels: [],
    detached: false,
  });
});

afterAll(async () => {
  await db.close();
});

const delivery = (requestId: string | null): DeliveryRecord => ({
  integrationId: 'platform',
  requestId,
  eventKey: 'repo:refs_changed',
  repository: { projectKey: 'PLAT', repositorySlug: 'network' },
  outcome: 'TRIGGERED',
  statusCode: 200,
  reason: '1 run queued',
});

async function recordAcceptedDelivery(db: Database, delivery: DeliveryRecord, runs: RunRequest[]): Promise<AcceptedDelivery> {
  const [result] = await recordAcceptedDeliveries(db, [{ delivery, runs }]);
  return result as AcceptedDelivery;
}

const run: RunRequest = { stackId: 'network', kind: 'TRACKED', trigger: 'repo:refs_changed', branch: 'main', commit: 'a'.repeat(40), pullRequestId: null };

describe('delivery store', () => {
  it('records a delivery and its runs together, and a repeated request id records nothing', async () => {
    const first = await recordAcceptedDelivery(db, delivery('req-1'), [run, { ...run, kind: 'PROPOSED', branch: 'x' }]);
    expect(first.duplicate).toBe(false);
    if (first.duplicate) return;
    expect(first.runs.map((r) => [r.kind, r.branch, r.deliveryId])).toEqual([
      ['TRACKED', 'main', first.deliveryId],
      ['PROPOSED', 'x', first.deliveryId],
    ]);
    expect(await recordAcceptedDelivery(db, delivery('req-1'), [run])).toEqual({ duplicate: true });
    expect((await listRuns(db, 'network', 100, null)).items).toHaveLength(2);
  });

  it('lets exactly one of many concurrent copies of a delivery through', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => recordAcceptedDelivery(db, delivery('req-race'), [run])));
    expect(results.filter((result) => !result.duplicate)).toHaveLength(1);
  });

  it('records a batch in one statement, treating a repeat inside the batch as a duplicate', async () => {
    const results = await recordAcceptedDeliveries(db, [
      { delivery: delivery('batch-1'), runs: [run] },
      { delivery: delivery('batch-2'), runs: [run, { ...run, kind: 'PROPOSED', branch: 'y' }] },
      { delivery: delivery('batch-1'), runs: [run] },
      { delivery: delivery('req-1'), runs: [run] },
    ]);
    expect(results.map((result) => result.duplicate)).toEqual([false, false, true, true]);
    const second = results[1] as Extract<AcceptedDelivery, { duplicate: false }>;
    expect(second.runs.map((r) => [r.kind, r.branch, r.deliveryId])).toEqual([
      ['TRACKED', 'main', second.deliveryId],
      ['PROPOSED', 'y', second.deliveryId],
    ]);
    const stored = (await listRuns(db, 'network', 1000, null)).items.filter((r) => r.deliveryId === second.deliveryId);
    expect(stored.map((r) => r.id).sort()).toEqual(second.runs.map((r) => r.id).sort());
  });

  it('finds the stacks of several repositories in one statement, case-insensitively', async () => {
    const integration = { id: 'platform', isDefault: false };
    const found = await stacksOnRepositories(db, [
      { projectKey: 'plat', repositorySlug: 'NETWORK', integration },
      { projectKey: 'PLAT', repositorySlug: 'dns', integration },
      { projectKey: 'PLAT', repositorySlug: 'network', integration: { id: 'other', isDefault: true } },
    ]);
    expect(found.map((stacks) => stacks.map((stack) => stack.id))).toEqual([['network'], [], []]);
  });

  it('never deduplicates rejected deliveries or deliveries without a request id', async () => {
    await recordRejectedDelivery(db, { ...delivery('req-2'), outcome: 'REJECTED', statusCode: 401, reason: 'bad signature', repository: null });
    expect((await recordAcceptedDelivery(db, delivery('req-2'), [])).duplicate).toBe(false);
    expect((await recordAcceptedDelivery(db, delivery(null), [])).duplicate).toBe(false);
    expect((await recordAcceptedDelivery(db, delivery(null), [])).duplicate).toBe(false);
  });

  it('lists the log newest first in pages', async () => {
    const all = (await listDeliveries(db, 'platform', 1000, null)).items;
    const first = await listDeliveries(db, 'platform', 2, null);
    expect(first.items).toEqual(all.slice(0, 2));
    const second = await listDeliveries(db, 'platform', 1000, BigInt(first.nextCursor as string));
    expect(second.items).toEqual(all.slice(2));
    expect(second.nextCursor).toBeNull();
    expect(all[all.length - 1]).toMatchObject({ requestId: 'req-1', outcome: 'TRIGGERED' });
    expect(all[all.length - 1].runIds).toHaveLength(2);
  });
});
