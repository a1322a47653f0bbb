import type { Stack } from '../../domain/model';
import type { StateRunKind } from '../../domain/state';
import type { Queryable } from './database';
import { toStack, type StackRow } from './stacks';

/** The run a state credential belongs to, as the state server judges it. */
export interface CredentialRun {
  runId: string;
  stackId: string;
  kind: StateRunKind;
  state: string;
  /** The run's stack, read with the credentials (each state request needs it); null when it is gone. */
  stack?: Stack | null;
}

interface CredentialRunRow {
  id: string;
  stack_id: string;
  kind: StateRunKind;
  state: string;
}

function toCredentialRun(row: CredentialRunRow): CredentialRun {
  return { runId: row.id, stackId: row.stack_id, kind: row.kind, state: row.state };
}

/** The run, as far as minting credentials for it needs; null when there is no such run. */
export async function findCredentialRun(db: Queryable, runId: string): Promise<CredentialRun | null> {
  const [row] = await db.query<CredentialRunRow>('SELECT id, stack_id, kind, state FROM runs WHERE id = $1', [runId]);
  return row === undefined ? null : toCredentialRun(row);
}

/** Stores the hash of a run's new credentials, replacing any it had. */
export async function replaceRunStateCredentials(db: Queryable, runId: string, secretHash: string): Promise<void> {
  await db.query(
    `INSERT INTO run_state_credentials (run_id, secret_hash) VALUES ($1, $2)
     ON CONFLICT (run_id) DO UPDATE SET secret_hash = EXCLUDED.secret_hash, created_at = now()`,
    [runId, secretHash],
  );
}

export async function deleteRunStateCredentials(db: Queryable, runId: string): Promise<boolean> {
  return (await db.query('DELETE FROM run_state_credentials WHERE run_id = $1 RETURNING run_id', [runId])).length > 0;
}

/**
 * The run whose credentials hash to `secretHash`, with its current state and its stack (in the same query: the state
 * server asks for both on every request of a run's terraform); null when none does.
 */
export async function findRunByStateCredentialHash(db: Queryable, secretHash: string): Promise<CredentialRun | null> {
  const [row] = await db.query<Partial<StackRow> & { run_id: string; run_stack_id: string; run_kind: StateRunKind; run_state: string }>(
    `SELECT r.id AS run_id, r.stack_id AS run_stack_id, r.kind AS run_kind, r.state AS run_state, s.*
     FROM run_state_credentials c JOIN runs r ON r.id = c.run_id LEFT JOIN stacks s ON s.id = r.stack_id
     WHERE c.secret_hash = $1`,
    [secretHash],
  );
  if (row === undefined) return null;
  const run = toCredentialRun({ id: row.run_id, stack_id: row.run_stack_id, kind: row.run_kind, state: row.run_state });
  return { ...run, stack: row.id === undefined || row.id === null ? null : toStack(row as StackRow) };
}
