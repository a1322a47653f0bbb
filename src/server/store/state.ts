import { isActiveRunState } from '../../domain/run-states';
import type { Queryable } from './database';
import type { Page } from './deliveries';
import { isoTimestamp } from './rows';

/** LockInfo as Terraform reads it back: what the client sent, with `Who` and `Created` set by the control plane. */
export interface LockInfoJson {
  ID: string;
  Operation: string;
  Info: string;
  Who: string;
  Version: string;
  Created: string;
  Path: string;
}

/** Who holds a lock or wrote a version: a run's credentials or an API key. */
export type StateActor = { kind: 'run'; id: string } | { kind: 'api-key'; id: string };

/** A state's lock as stored. */
export interface StoredLock {
  id: string;
  info: LockInfoJson;
  lockedAt: string;
  kind: StateActor['kind'];
  /** The holding run, or the holding API key's id; null for a run that was deleted since. */
  holderId: string | null;
  /** False when the holder is a run that ended (or was deleted): such a lock is stale. */
  holderActive: boolean;
}

/** A version of a state, without its content. */
export interface StateVersionSummary {
  id: string;
  serial: number;
  lineage: string;
  terraformVersion: string | null;
  md5: string;
  sizeBytes: number;
  createdBy: StateActor;
  createdAt: string;
}

interface LockRow {
  lock_id: string | null;
  lock_info: LockInfoJson | string | null;
  locked_at: Date | null;
  locked_by_kind: StateActor['kind'] | null;
  locked_by_run: string | null;
  locked_by_api_key: string | null;
  holder_run_state: string | null;
}

interface VersionRow {
  id: string;
  seq: string | number;
  serial: string | number;
  lineage: string;
  terraform_version: string | null;
  md5: string;
  size_bytes: number;
  created_by_kind: StateActor['kind'];
  created_by_id: string;
  created_at: Date;
}

function toLock(row: LockRow): StoredLock | null {
  if (row.lock_id === null || row.locked_by_kind === null) return null;
  const holderId = row.locked_by_kind === 'run' ? row.locked_by_run : row.locked_by_api_key;
  return {
    id: row.lock_id,
    info: typeof row.lock_info === 'string' ? (JSON.parse(row.lock_info) as LockInfoJson) : (row.lock_info as LockInfoJson),
    lockedAt: isoTimestamp(row.locked_at),
    kind: row.locked_by_kind,
    holderId,
    holderActive: row.locked_by_kind === 'api-key' || (row.holder_run_state !== null && isActiveRunState(row.holder_run_state)),
  };
}

function toVersion(row: VersionRow): StateVersionSummary {
  return {
    id: row.id,
    serial: Number(row.serial),
    lineage: row.lineage,
    terraformVersion: row.terraform_version,
    md5: row.md5,
    sizeBytes: row.size_bytes,
    createdBy: { kind: row.created_by_kind, id: row.created_by_id },
    createdAt: isoTimestamp(row.created_at),
  };
}

const VERSION_COLUMNS = 'id, seq, serial, lineage, terraform_version, md5, size_bytes, created_by_kind, created_by_id, created_at';

const LOCK_SELECT = `
  SELECT s.lock_id, s.lock_info, s.locked_at, s.locked_by_kind, s.locked_by_run, s.locked_by_api_key, r.state AS holder_run_state
  FROM terraform_states s LEFT JOIN runs r ON r.id = s.locked_by_run
  WHERE s.stack_id = $1`;

/**
 * Takes the stack's state row for a change (creating it on first use) and returns its lock and current version.
 * Changes of one state (locks, unlocks, writes) queue here, so each sees the one before. Null when the stack does
 * not exist (deleted meanwhile).
 */
export async function lockStateForChange(tx: Queryable, stackId: string): Promise<{ lock: StoredLock | null; current: StateVersionSummary | null } | null> {
  let [row] = await tx.query<LockRow>(`${LOCK_SELECT} FOR UPDATE OF s`, [stackId]);
  if (row === undefined) {
    // The stack's first change: its row is made here (once; a concurrent first change waits on the insert's lock).
    await tx.query('INSERT INTO terraform_states (stack_id) SELECT id FROM stacks WHERE id = $1 ON CONFLICT (stack_id) DO NOTHING', [stackId]);
    [row] = await tx.query<LockRow>(`${LOCK_SELECT} FOR UPDATE OF s`, [stackId]);
  }
  if (row === undefined) return null;
  return { lock: toLock(row), current: await currentStateVersion(tx, stackId) };
}

export async function setStateLock(tx: Queryable, stackId: string, info: LockInfoJson, holder: StateActor): Promise<void> {
  await tx.query(
    `UPDATE terraform_states
     SET lock_id = $2, lock_info = $3::jsonb, locked_at = $4, locked_by_kind = $5, locked_by_run = $6, locked_by_api_key = $7
     WHERE stack_id = $1`,
    [
      stackId,
      info.ID,
      JSON.stringify(info),
      info.Created,
      holder.kind,
      holder.kind === 'run' ? holder.id : null,
      holder.kind === 'api-key' ? holder.id : null,
    ],
  );
}

export async function clearStateLock(tx: Queryable, stackId: string): Promise<void> {
  await tx.query(
    `UPDATE terraform_states
     SET lock_id = NULL, lock_info = NULL, locked_at = NULL, locked_by_kind = NULL, locked_by_run = NULL, locked_by_api_key = NULL
     WHERE stack_id = $1`,
    [stackId],
  );
}

/** Releases every state lock a run holds; returns the stacks whose state it unlocked. */
export async function clearStateLocksOfRun(db: Queryable, runId: string): Promise<string[]> {
  const rows = await db.query<{ stack_id: string }>(
    `UPDATE terraform_states
     SET lock_id = NULL, lock_info = NULL, locked_at = NULL, locked_by_kind = NULL, locked_by_run = NULL, locked_by_api_key = NULL
     WHERE locked_by_run = $1
     RETURNING stack_id`,
    [runId],
  );
  return rows.map((row) => row.stack_id);
}

/** A version to store: its identity, who wrote it and the sealed bytes. */
export interface NewStateVersion {
  id: string;
  stackId: string;
  serial: number;
  lineage: string;
  terraformVersion: string | null;
  md5: string;
  sizeBytes: number;
  contentSealed: Buffer;
  createdBy: StateActor;
}

export async function insertStateVersion(tx: Queryable, version: NewStateVersion): Promise<StateVersionSummary> {
  const [row] = await tx.query<VersionRow>(
    `INSERT INTO terraform_state_versions
       (id, stack_id, serial, lineage, terraform_version, md5, size_bytes, content_sealed, created_by_kind, created_by_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     RETURNING ${VERSION_COLUMNS}`,
    [
      version.id,
      version.stackId,
      version.serial,
      version.lineage,
      version.terraformVersion,
      version.md5,
      version.sizeBytes,
      version.contentSealed,
      version.createdBy.kind,
      version.createdBy.id,
    ],
  );
  return toVersion(row as VersionRow);
}

/** The stack's newest version (its current state), or null when none was written. */
export async function currentStateVersion(db: Queryable, stackId: string): Promise<StateVersionSummary | null> {
  const [row] = await db.query<VersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM terraform_state_versions WHERE stack_id = $1 ORDER BY seq DESC LIMIT 1`,
    [stackId],
  );
  return row === undefined ? null : toVersion(row);
}

/** The current state's sealed bytes with its version, or null when none was written. */
export async function currentStateContent(db: Queryable, stackId: string): Promise<{ version: StateVersionSummary; sealed: Uint8Array } | null> {
  const [row] = await db.query<VersionRow & { content_sealed: Uint8Array }>(
    `SELECT ${VERSION_COLUMNS}, content_sealed FROM terraform_state_versions WHERE stack_id = $1 ORDER BY seq DESC LIMIT 1`,
    [stackId],
  );
  return row === undefined ? null : { version: toVersion(row), sealed: row.content_sealed };
}

/** The newest version with `serial` (of any lineage) with its sealed bytes, or null when there is none. */
export async function stateVersionContent(db: Queryable, stackId: string, serial: number): Promise<{ version: StateVersionSummary; sealed: Uint8Array } | null> {
  const [row] = await db.query<VersionRow & { content_sealed: Uint8Array }>(
    `SELECT ${VERSION_COLUMNS}, content_sealed FROM terraform_state_versions WHERE stack_id = $1 AND serial = $2 ORDER BY seq DESC LIMIT 1`,
    [stackId, serial],
  );
  return row === undefined ? null : { version: toVersion(row), sealed: row.content_sealed };
}

/** The stack's versions, newest first; `cursor` is the previous page's `nextCursor`. */
export async function listStateVersions(db: Queryable, stackId: string, limit: number, cursor: bigint | null): Promise<Page<StateVersionSummary>> {
  const rows = await db.query<VersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM terraform_state_versions
     WHERE stack_id = $1 AND ($2::bigint IS NULL OR seq < $2::bigint)
     ORDER BY seq DESC
     LIMIT $3`,
    [stackId, cursor === null ? null : cursor.toString(), limit + 1],
  );
  return { items: rows.slice(0, limit).map(toVersion), nextCursor: rows.length > limit ? String(rows[limit - 1]?.seq) : null };
}
