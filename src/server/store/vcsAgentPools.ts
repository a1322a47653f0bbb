import type { Queryable } from './database';
import { isoTimestamp } from './rows';

/** A VCS agent pool as stored (its token only as a hash, which never leaves the store module). */
export interface VcsAgentPoolRecord {
  id: string;
  name: string;
  spaceId: string;
  description: string;
  createdAt: string;
  lastActivityAt: string | null;
}

interface PoolRow {
  id: string;
  name: string;
  space_id: string;
  description: string;
  created_at: Date;
  last_activity_at: Date | null;
}

const COLUMNS = 'id, name, space_id, description, created_at, last_activity_at';

function toPool(row: PoolRow): VcsAgentPoolRecord {
  return {
    id: row.id,
    name: row.name,
    spaceId: row.space_id,
    description: row.description,
    createdAt: isoTimestamp(row.created_at),
    lastActivityAt: row.last_activity_at === null ? null : isoTimestamp(row.last_activity_at),
  };
}

/** Inserts a pool; null when a pool of that name (in any case) exists. */
export async function insertVcsAgentPool(
  db: Queryable,
  pool: { id: string; name: string; spaceId: string; description: string; tokenHash: string },
): Promise<VcsAgentPoolRecord | null> {
  const rows = await db.query<PoolRow>(
    `INSERT INTO vcs_agent_pools (id, name, space_id, description, token_hash) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
    [pool.id, pool.name, pool.spaceId, pool.description, pool.tokenHash],
  );
  return rows[0] === undefined ? null : toPool(rows[0]);
}

export async function listVcsAgentPools(db: Queryable): Promise<VcsAgentPoolRecord[]> {
  return (await db.query<PoolRow>(`SELECT ${COLUMNS} FROM vcs_agent_pools ORDER BY lower(name)`)).map(toPool);
}

export async function findVcsAgentPool(db: Queryable, id: string): Promise<VcsAgentPoolRecord | null> {
  const [row] = await db.query<PoolRow>(`SELECT ${COLUMNS} FROM vcs_agent_pools WHERE id = $1`, [id]);
  return row === undefined ? null : toPool(row);
}

/** The pool a private://<name> apiHost names (case-insensitive), or null. */
export async function findVcsAgentPoolByName(db: Queryable, name: string): Promise<VcsAgentPoolRecord | null> {
  const [row] = await db.query<PoolRow>(`SELECT ${COLUMNS} FROM vcs_agent_pools WHERE lower(name) = lower($1)`, [name]);
  return row === undefined ? null : toPool(row);
}

/** The pool whose token hashes to `tokenHash` (an agent connecting), or null. */
export async function findVcsAgentPoolByTokenHash(db: Queryable, tokenHash: string): Promise<VcsAgentPoolRecord | null> {
  const [row] = await db.query<PoolRow>(`SELECT ${COLUMNS} FROM vcs_agent_pools WHERE token_hash = $1`, [tokenHash]);
  return row === undefined ? null : toPool(row);
}

export async function deleteVcsAgentPool(db: Queryable, id: string): Promise<boolean> {
  return (await db.query('DELETE FROM vcs_agent_pools WHERE id = $1 RETURNING id', [id])).length > 0;
}

/** Records that an agent of the pool connected or carried a request. */
export async function touchVcsAgentPool(db: Queryable, id: string): Promise<void> {
  await db.query('UPDATE vcs_agent_pools SET last_activity_at = now() WHERE id = $1', [id]);
}
