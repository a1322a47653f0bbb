import { openDatabase, type Database } from '../../../src/server/store/database';
import {
  listDeliveries,
  recordAcceptedDeliveries,
  pruneDeliveries,
  recordRejectedDeliveries,
  type AcceptedDelivery,
  type DeliveryRecord,
} from '../../../src/server/store/deliveries';
import { insertIntegration } from '../../../src/server/store/integrations';
import { insertManualRun, listRuns, stacksOnRepositories } from '../../../src/server/store/runs';
import { insertStack } from '../../../src/server/store/stacks';
import type { RunRequest } from '../../../src/domain/runs';

let db: Database;

/** An integration row; the store never opens its sealed values, so they need not be real ciphertexts. */
async function insertTestIntegration(id: string): Promise<void> {
  await insertIntegration(db, {
    id,
    name: id,
    isDefault: false,
    spaceId: 'root',
    apiHost: 'https://bitbucket.example.com',
    userFacingHost: null,
    username: 'svc',
    accessTokenEncrypted: 'not-a-real-ciphertext',
    webhookSecretEncrypted: 'not-a-real-ciphertext',
    labels: [],
    description: '',
  });
}

beforeAll(async () => {
  db = await openDatabase({ dataDir: 'memory://' });
  await insertTestIntegration('platform');
  await insertStack(db, 'network', {
    name: 'network',
    spaceId: 'root',
    vcs: { integrationId: 'platform', projectKey: 'PLAT', repositorySlug: 'network', branch: 'main', projectRoot: '' },
    autodeploy: false,
    labels: [],
    detached: false,
    manageState: true,
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

let commits = 0;
/** A commit no earlier test has used (one run per stack, kind and commit applies across the file). */
const freshCommit = () => (++commits).toString(16).padStart(40, '0');

/** A TRACKED run of a new commit of `network`'s main branch. */
const newRun = (): RunRequest => ({
  stackId: 'network',
  kind: 'TRACKED',
  trigger: 'repo:refs_changed',
  branch: 'main',
  commit: freshCommit(),
  pullRequestId: null,
  deliberate: false,
  note: null,
});

describe('delivery store', () => {
  it('records a delivery and its runs together, and a repeated request id records nothing', async () => {
    const run = newRun();
    const first = await recordAcceptedDelivery(db, delivery('req-1'), [run, { ...run, kind: 'PROPOSED', branch: 'x' }]);
    expect(first.duplicate).toBe(false);
    if (first.duplicate) return;
    expect(first.runs.map((r) => [r.kind, r.branch, r.deliveryId])).toEqual([
      ['TRACKED', 'main', first.deliveryId],
      ['PROPOSED', 'x', first.deliveryId],
    ]);
    expect(await recordAcceptedDelivery(db, delivery('req-1'), [newRun()])).toEqual({ duplicate: true });
    expect((await listRuns(db, 'network', 100, null)).items).toHaveLength(2);
  });

  it('lets exactly one of many concurrent copies of a delivery through', async () => {
    const run = newRun();
    const results = await Promise.all(Array.from({ length: 20 }, () => recordAcceptedDelivery(db, delivery('req-race'), [run])));
    expect(results.filter((result) => !result.duplicate)).toHaveLength(1);
  });

  it('records a batch in one statement, treating a repeat inside the batch as a duplicate', async () => {
    const results = await recordAcceptedDeliveries(db, [
      { delivery: delivery('batch-1'), runs: [newRun()] },
      { delivery: delivery('batch-2'), runs: [newRun(), { ...newRun(), kind: 'PROPOSED', branch: 'y' }] },
      { delivery: delivery('batch-1'), runs: [newRun()] },
      { delivery: delivery('req-1'), runs: [newRun()] },
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

  describe('one run per (stack, kind, commit)', () => {
    const runsOfCommit = async (commit: string) => (await listRuns(db, 'network', 1000, null)).items.filter((r) => r.commit === commit);

    it('records a delivery whose run already exists, without the run, and says why in its reason', async () => {
      const run = newRun();
      const first = await recordAcceptedDelivery(db, delivery('replay-1'), [run]);
      const replay = await recordAcceptedDelivery(db, delivery('replay-2'), [run, { ...run, kind: 'PROPOSED' }]);
      expect(first).toMatchObject({ duplicate: false, reason: '1 run(s) queued' });
      if (replay.duplicate) throw new Error('the replay has a new request id and must be recorded');
      expect(replay.runs.map((r) => r.kind)).toEqual(['PROPOSED']);
      expect(replay.reason).toBe(
        '1 run(s) queued; 1 not queued again: the stack already has a run of that kind for that commit (one run per stack, kind and commit)',
      );
      const logged = (await listDeliveries(db, 'platform', 1000, null)).items.find((entry) => entry.id === replay.deliveryId);
      expect(logged).toMatchObject({ reason: replay.reason, runIds: [replay.runs[0]?.id] });
      expect((await runsOfCommit(run.commit as string)).map((r) => r.kind).sort()).toEqual(['PROPOSED', 'TRACKED']);
    });

    it('queues a run once when deliveries of the same commit arrive together, in one batch or concurrently', async () => {
      const run = newRun();
      const batch = await recordAcceptedDeliveries(db, [
        { delivery: delivery('together-1'), runs: [run] },
        { delivery: delivery('together-2'), runs: [run] },
      ]);
      expect(batch.flatMap((result) => (result.duplicate ? [] : result.runs))).toHaveLength(1);
      const concurrent = newRun();
      await Promise.all(Array.from({ length: 10 }, (_, index) => recordAcceptedDelivery(db, delivery(`concurrent-${concurrent.commit}-${index}`), [concurrent])));
      expect(await runsOfCommit(concurrent.commit as string)).toHaveLength(1);
    });

    it('queues a new run once the existing one is CANCELED or DISCARDED, and not beside a manual run', async () => {
      const run = newRun();
      await recordAcceptedDelivery(db, delivery(`first-${run.commit}`), [run]);
      for (const state of ['CANCELED', 'DISCARDED']) {
        await db.query(`UPDATE runs SET state = $1 WHERE commit_sha = $2`, [state, run.commit]);
        const again = await recordAcceptedDelivery(db, delivery(`after-${state}-${run.commit}`), [run]);
        expect(again).toMatchObject({ duplicate: false, runs: [{ commit: run.commit }] });
      }
      const manual = newRun();
      await insertManualRun(db, { ...manual, trigger: 'manual' }, 'key-1');
      await insertManualRun(db, { ...manual, trigger: 'manual' }, 'key-1');
      const event = await recordAcceptedDelivery(db, delivery(`after-manual-${manual.commit}`), [manual]);
      expect(event).toMatchObject({ duplicate: false, runs: [] });
      expect(await runsOfCommit(manual.commit as string)).toHaveLength(2);
    });

    it('queues a deliberate re-plan even when the commit has its run, and again for each one', async () => {
      const run = newRun();
      await recordAcceptedDelivery(db, delivery(`planned-${run.commit}`), [run]);
      for (const copy of [1, 2]) {
        const replan = await recordAcceptedDelivery(db, delivery(`replan-${copy}-${run.commit}`), [{ ...run, trigger: 'pr:comment:added', deliberate: true }]);
        expect(replan).toMatchObject({ duplicate: false, reason: '1 run(s) queued', runs: [{ trigger: 'pr:comment:added' }] });
      }
      expect(await runsOfCommit(run.commit as string)).toHaveLength(3);
      // Events after a re-plan still find the commit's run.
      expect(await recordAcceptedDelivery(db, delivery(`after-replan-${run.commit}`), [run])).toMatchObject({ runs: [] });
    });

    it('refuses to store a run of anything but a full commit id', async () => {
      await expect(insertManualRun(db, { ...newRun(), commit: '$(id)' }, 'key-1')).rejects.toMatchObject({ code: '23514' });
    });
  });

  describe('refused deliveries', () => {
    const refused = (integrationId: string): DeliveryRecord => ({
      integrationId,
      requestId: null,
      eventKey: 'repo:refs_changed',
      repository: null,
      outcome: 'REJECTED',
      statusCode: 401,
      reason: 'missing X-Hub-Signature header',
    });

    beforeAll(async () => {
      for (const id of ['flooded', 'aged']) await insertTestIntegration(id);
    });

    it('records the first ones one by one and then counts the rest in one entry, one at a time or in batches', async () => {
      const budget = { perWindow: 5, windowSeconds: 60 };
      for (let index = 0; index < 3; index++) await recordRejectedDeliveries(db, [refused('flooded')], budget);
      await recordRejectedDeliveries(db, Array.from({ length: 10 }, () => refused('flooded')), budget);
      for (let index = 0; index < 7; index++) await recordRejectedDeliveries(db, [refused('flooded')], budget);
      await recordRejectedDeliveries(db, Array.from({ length: 20 }, () => refused('flooded')), budget);
      const log = (await listDeliveries(db, 'flooded', 1000, null)).items;
      expect(log).toHaveLength(6);
      const summary = log.find((entry) => entry.count > 1);
      const single = log.filter((entry) => entry !== summary);
      expect(single.every((entry) => entry.count === 1 && entry.reason === 'missing X-Hub-Signature header')).toBe(true);
      expect(summary).toMatchObject({ outcome: 'REJECTED', statusCode: 401, count: 35 });
      expect(summary?.reason).toBe(
        'more than 5 refused deliveries within 60 s: this entry counts them (the first it counts: missing X-Hub-Signature header)',
      );
      expect(Date.parse(summary?.lastReceivedAt as string)).toBeGreaterThanOrEqual(Date.parse(summary?.receivedAt as string));
    });

    it('deletes entries past the retention and keeps the rest, and the runs of deleted ones', async () => {
      const old = await recordAcceptedDelivery(db, { ...delivery('aged-1'), integrationId: 'aged' }, [newRun()]);
      await recordAcceptedDelivery(db, { ...delivery('aged-2'), integrationId: 'aged' }, []);
      if (old.duplicate) throw new Error('unexpected duplicate');
      await db.query(`UPDATE deliveries SET received_at = now() - interval '31 days' WHERE id = $1`, [old.deliveryId]);
      expect(await pruneDeliveries(db, 30 * 86_400, 1)).toBe(1);
      expect((await listDeliveries(db, 'aged', 1000, null)).items.map((entry) => entry.requestId)).toEqual(['aged-2']);
      const [kept] = (await listRuns(db, 'network', 1000, null)).items.filter((r) => r.id === old.runs[0]?.id);
      expect(kept).toMatchObject({ deliveryId: null });
    });
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
    await recordRejectedDeliveries(db, [{ ...delivery('req-2'), outcome: 'REJECTED', statusCode: 401, reason: 'bad signature', repository: null }]);
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
