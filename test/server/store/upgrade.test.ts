import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/server/app';
import { ensureRootAdminKey } from '../../../src/server/auth/apiKeys';
import { accessTokenContext, SecretBox, webhookSecretContext } from '../../../src/server/secrets';
import { migrate, openDatabase, type Database } from '../../../src/server/store/database';
import { startPostgres, type PostgresCluster } from '../../helpers/postgres';
import { refsChanged } from '../webhooks/bitbucket-payloads';
import { postDelivery, signedDelivery } from '../webhooks/signed-delivery';

/**
 * A store written by the Liftgate before migrations 003 and 004 (webhook secrets in plaintext, access tokens sealed
 * to the integration id only, runs that repeat a commit, a manual run of a short commit id) is upgraded on start
 * without losing anything.
 */
const KEY = Buffer.alloc(32, 9);
const TOKEN = 'BBDC-legacy-token-5e1d';
const WEBHOOK_SECRET = 'ab'.repeat(32);
const COMMIT = 'c'.repeat(40);

/** Takes a fresh store back to what migrations 001 and 002 made (the inverse of the later ones). */
async function rewindToSchema2(db: Database): Promise<void> {
  for (const statement of [
    'DROP FUNCTION liftgate_reads_changed() CASCADE',
    'DROP TABLE vcs_agent_pools',
    'DROP TABLE module_versions',
    'DROP TABLE modules',
    'DROP INDEX runs_proposed_by_branch',
    'ALTER TABLE runs DROP COLUMN trigger_note, DROP COLUMN failure',
    'DROP TABLE pull_request_comments',
    'DROP TABLE run_log_chunks',
    'DROP INDEX runs_stack_lock',
    'DROP INDEX runs_waiting',
    'DROP INDEX runs_leased',
    ...['history', 'updated_at', 'delta', 'worker_id', 'lease_expires_at', 'attempts', 'cancel_requested_at', 'plan_sealed'].map((column) => `ALTER TABLE runs DROP COLUMN ${column}`),
    ...['plan_state_serial', 'plan_state_lineage', 'feedback', 'feedback_due', 'log_bytes'].map((column) => `ALTER TABLE runs DROP COLUMN ${column}`),
    'DROP TABLE stack_environment_variables',
    'DROP TABLE run_state_credentials',
    'DROP TABLE terraform_state_versions',
    'DROP TABLE terraform_states',
    'ALTER TABLE stacks DROP COLUMN manage_state',
    'DROP INDEX runs_one_per_commit',
    'DROP INDEX runs_by_commit',
    'ALTER TABLE runs DROP CONSTRAINT runs_commit_is_full_id',
    'ALTER TABLE runs DROP COLUMN dedupe_commit',
    'DROP INDEX deliveries_rejected_recently',
    'DROP INDEX deliveries_by_age',
    'ALTER TABLE deliveries DROP COLUMN summary, DROP COLUMN repeats, DROP COLUMN last_received_at',
    'ALTER TABLE integrations RENAME COLUMN webhook_secret_encrypted TO webhook_secret',
    'DELETE FROM schema_migrations WHERE version >= 3',
    `DELETE FROM settings WHERE name = 'secrets-sealed'`,
  ]) {
    await db.query(statement);
  }
}

/** What the old Liftgate stored. */
async function writeLegacyRows(db: Database): Promise<void> {
  const box = new SecretBox(KEY);
  await db.query(
    `INSERT INTO integrations (id, name, is_default, space_id, api_host, username, access_token_encrypted, webhook_secret)
     VALUES ('legacy', 'legacy', false, 'root', 'https://bitbucket.example.com', 'svc', $1, $2)`,
    [box.encrypt(TOKEN, 'legacy'), WEBHOOK_SECRET],
  );
  await db.query(
    `INSERT INTO stacks (id, name, space_id, integration_id, project_key, repository_slug, branch)
     VALUES ('legacy-stack', 'legacy', 'root', 'legacy', 'PLAT', 'network', 'main')`,
  );
  for (const trigger of ['repo:refs_changed', 'repo:refs_changed', 'pr:opened']) {
    await db.query(`INSERT INTO runs (stack_id, kind, trigger, branch, commit_sha) VALUES ('legacy-stack', 'TRACKED', $1, 'main', $2)`, [trigger, COMMIT]);
  }
  await db.query(`INSERT INTO runs (stack_id, kind, trigger, branch, commit_sha) VALUES ('legacy-stack', 'TRACKED', 'manual', 'main', 'abc123')`);
}

describe.each(['pglite', 'postgres'] as const)('upgrading a store written before sealed webhook secrets [%s]', (engine) => {
  let cluster: PostgresCluster | null = null;
  let db: Database;
  let apps: FastifyInstance[] = [];

  const start = async () => {
    const app = await buildApp({ db, publicUrl: 'https://liftgate.example.com', encryptionKey: KEY, verifyCredentials: async () => undefined });
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    if (engine === 'postgres') cluster = await startPostgres();
    db = await openDatabase(engine === 'postgres' ? { url: await (cluster as PostgresCluster).createDatabase('upgrade') } : { dataDir: 'memory://' });
    await rewindToSchema2(db);
    await writeLegacyRows(db);
    await migrate(db);
  }, 60_000);

  afterAll(async () => {
    for (const app of apps) await app.close();
    await db?.close();
    await cluster?.stop();
  });

  it('keeps every secret, sealed, and every run', async () => {
    // Two replicas starting together seal once; a restart finds nothing left to do.
    await Promise.all([start(), start()]);
    await start();
    const [row] = await db.query<{ access_token_encrypted: string; webhook_secret_encrypted: string }>(
      `SELECT access_token_encrypted, webhook_secret_encrypted FROM integrations WHERE id = 'legacy'`,
    );
    const box = new SecretBox(KEY);
    expect(row?.webhook_secret_encrypted).not.toContain(WEBHOOK_SECRET);
    expect(box.decrypt(row?.webhook_secret_encrypted as string, webhookSecretContext('legacy'))).toBe(WEBHOOK_SECRET);
    expect(box.decrypt(row?.access_token_encrypted as string, accessTokenContext({ id: 'legacy', username: 'svc', apiHost: 'https://bitbucket.example.com' }))).toBe(
      TOKEN,
    );
    expect(() => box.decrypt(row?.access_token_encrypted as string, 'legacy')).toThrow();
    const runs = await db.query<{ commit_sha: string }>(`SELECT commit_sha FROM runs WHERE stack_id = 'legacy-stack' ORDER BY seq`);
    expect(runs.map((run) => run.commit_sha)).toEqual([COMMIT, COMMIT, COMMIT, 'abc123']);
    // Stacks from before managed state keep their state in the control plane from now on (SPEC §1's default).
    expect(await db.query(`SELECT manage_state FROM stacks WHERE id = 'legacy-stack'`)).toEqual([{ manage_state: true }]);
  });

  it('shows the same webhook secret to admins, accepts deliveries signed with it, and queues no repeat of a legacy run', async () => {
    const app = apps[0] as FastifyInstance;
    const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    const adminKey = ((await ensureRootAdminKey(db)) as { secret: string }).secret;
    const details = await fetch(`${baseUrl}/api/v1/integrations/bitbucket-datacenter/legacy`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(((await details.json()) as { webhookSecret: string }).webhookSecret).toBe(WEBHOOK_SECRET);
    const push = (commit: string) =>
      postDelivery(baseUrl, signedDelivery('legacy', WEBHOOK_SECRET, 'repo:refs_changed', refsChanged({ projectKey: 'PLAT', slug: 'network' }, [{ branch: 'main', toHash: commit }])));
    const repeat = await push(COMMIT);
    expect(repeat).toMatchObject({ status: 200, body: { outcome: 'TRIGGERED', runs: [] } });
    const fresh = await push('d'.repeat(40));
    expect(fresh).toMatchObject({ status: 200, body: { outcome: 'TRIGGERED', runs: [{ commit: 'd'.repeat(40) }] } });
  });
});
