/**
 * The run queue is the runs table (SPEC §7.2, after graphile/worker and pg-boss): a worker claims the oldest run it
 * may take in one statement (`FOR UPDATE SKIP LOCKED`), renews a lease while it executes it, and every later write is
 * guarded by its worker id, so a worker that lost its lease changes nothing. The stack lock is checked by the claim
 * and enforced by a unique index (migration 006), so two replicas or workers can never both move one stack.
 */
import { STACK_LOCK_STATES, type RunDelta, type RunHistoryEntry, type RunKind } from '../../domain/run-lifecycle';
import { TERMINAL_RUN_STATES, type RunState } from '../../domain/run-states';
import { sqlState, UNIQUE_VIOLATION, type Queryable } from './database';
import { isoTimestamp } from './rows';

/** A run row with everything the worker and the API read. */
export interface QueuedRunRow {
  id: string;
  seq: string | number;
  stack_id: string;
  kind: RunKind;
  state: RunState;
  trigger: string;
  branch: string;
  commit_sha: string | null;
  pull_request_id: string | number | null;
  delivery_id: string | null;
  triggered_by: string | null;
  trigger_note: string | null;
  created_at: Date;
  updated_at: Date;
  history: RunHistoryEntry[] | string | null;
  delta: RunDelta | string | null;
  failure: string | null;
  worker_id: string | null;
  lease_expires_at: Date | null;
  attempts: number;
  cancel_requested_at: Date | null;
  plan_sealed: Uint8Array | null;
  plan_state_serial: string | number | null;
  plan_state_lineage: string | null;
  feedback: Record<string, unknown> | string | null;
  log_bytes: string | number;
}

const ACTIVE_STATES_SQL = STACK_LOCK_STATES.map((state) => `'${state}'`).join(', ');
const TERMINAL_STATES_SQL = [...TERMINAL_RUN_STATES].map((state) => `'${state}'`).join(', ');

/** Appends one history entry (state, now, note) to a run's history: the SQL of the SET clause. */
export const appendHistory = (stateParam: string, noteParam: string): string =>
  `history = COALESCE(runs.history, jsonb_build_array(jsonb_build_object('state', runs.state, 'at', runs.created_at, 'note', NULL))) || jsonb_build_array(jsonb_build_object('state', ${stateParam}::text, 'at', clock_timestamp(), 'note', ${noteParam}::text)),
   updated_at = clock_timestamp()`;

function json<T>(value: T | string): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

export function historyOf(row: QueuedRunRow): RunHistoryEntry[] {
  if (row.history === null) return [{ state: row.state, at: isoTimestamp(row.created_at), note: null }];
  return json(row.history).map((entry) => ({ state: entry.state, at: isoTimestamp(entry.at), note: entry.note ?? null }));
}

export function deltaOf(row: QueuedRunRow): RunDelta | null {
  return row.delta === null ? null : json(row.delta);
}

export function feedbackOf(row: QueuedRunRow): Record<string, unknown> | null {
  return row.feedback === null ? null : json(row.feedback);
}

/**
 * Claims the oldest run a worker may take: a QUEUED PROPOSED run; a QUEUED TRACKED run whose stack no TRACKED run
 * holds and that no older TRACKED run of its stack waits before (first in, first out); or a CONFIRMED run, which goes
 * on to apply its saved plan. The run moves to PREPARING (APPLYING for a CONFIRMED one) with this worker's lease.
 * Null when nothing can be claimed now (also when another claimer took the stack's lock at the same moment).
 */
export async function claimRun(db: Queryable, workerId: string, leaseMs: number): Promise<QueuedRunRow | null> {
  try {
    const [row] = await db.query<QueuedRunRow>(
      `WITH candidate AS (
         SELECT r.id FROM runs r
         WHERE r.worker_id IS NULL
           -- Runs recorded before commits were checked may hold something else; nothing can fetch that.
           AND (r.commit_sha IS NULL OR r.commit_sha ~ '^[0-9a-f]{40}$')
           AND (r.state = 'CONFIRMED' OR (r.state = 'QUEUED' AND (r.kind = 'PROPOSED' OR (
             NOT EXISTS (SELECT 1 FROM runs o WHERE o.stack_id = r.stack_id AND o.kind = 'TRACKED' AND o.state IN (${ACTIVE_STATES_SQL}))
             AND NOT EXISTS (SELECT 1 FROM runs e WHERE e.stack_id = r.stack_id AND e.kind = 'TRACKED' AND e.state = 'QUEUED' AND e.seq < r.seq)
           ))))
         ORDER BY r.seq
         LIMIT 1
         FOR UPDATE SKIP LOCKED
       )
       UPDATE runs SET
         state = CASE WHEN runs.state = 'CONFIRMED' THEN 'APPLYING' ELSE 'PREPARING' END,
         worker_id = $1,
         lease_expires_at = clock_timestamp() + $2 * interval '1 millisecond',
         attempts = attempts + 1,
         ${appendHistory(`CASE WHEN runs.state = 'CONFIRMED' THEN 'APPLYING' ELSE 'PREPARING' END`, '$3')}
       FROM candidate WHERE runs.id = candidate.id
       RETURNING runs.*`,
      [workerId, leaseMs, `claimed by worker ${workerId}`],
    );
    return row ?? null;
  } catch (error) {
    // Another claimer moved a TRACKED run of the same stack in the same instant: the stack is taken, try later.
    if (sqlState(error) === UNIQUE_VIOLATION) return null;
    throw error;
  }
}

/** What a lease renewal found: whether the worker still holds the run, and whether someone asked to cancel it. */
export interface LeaseCheck {
  held: boolean;
  cancelRequested: boolean;
}

export async function renewLease(db: Queryable, runId: string, workerId: string, leaseMs: number): Promise<LeaseCheck> {
  const [row] = await db.query<{ cancel_requested_at: Date | null }>(
    `UPDATE runs SET lease_expires_at = clock_timestamp() + $3 * interval '1 millisecond'
     WHERE id = $1 AND worker_id = $2 AND state NOT IN (${TERMINAL_STATES_SQL})
     RETURNING cancel_requested_at`,
    [runId, workerId, leaseMs],
  );
  return { held: row !== undefined, cancelRequested: row?.cancel_requested_at != null };
}

/** A worker's move of a run it holds. */
export interface RunMove {
  runId: string;
  workerId: string;
  from: RunState;
  to: RunState;
  note: string | null;
  /** Lets the run go (no worker, no lease): waiting for confirmation, or ended. */
  release: boolean;
  delta?: RunDelta;
  failure?: string;
  /** The commit a manual run resolved the tracked branch's head to. */
  commit?: string;
  /** The saved plan of a run that waits for confirmation, and the state it was made from. */
  plan?: { sealed: Uint8Array; stateSerial: number | null; stateLineage: string | null };
  /** Drops the saved plan (applied, discarded or failed). */
  dropPlan?: boolean;
}

/** Moves a run the worker holds from `from` to `to`; false when it no longer holds it in that state (nothing is written). */
export async function moveHeldRun(db: Queryable, move: RunMove): Promise<boolean> {
  const rows = await db.query(
    `UPDATE runs SET
       state = $4,
       ${appendHistory('$4', '$5')},
       worker_id = CASE WHEN $6::boolean THEN NULL ELSE worker_id END,
       lease_expires_at = CASE WHEN $6::boolean THEN NULL ELSE lease_expires_at END,
       delta = COALESCE($7::jsonb, delta),
       failure = COALESCE($8, failure),
       commit_sha = COALESCE($9, commit_sha),
       plan_sealed = CASE WHEN $10::bytea IS NOT NULL THEN $10::bytea WHEN $13::boolean THEN NULL ELSE plan_sealed END,
       plan_state_serial = CASE WHEN $10::bytea IS NOT NULL THEN $11::bigint WHEN $13::boolean THEN NULL ELSE plan_state_serial END,
       plan_state_lineage = CASE WHEN $10::bytea IS NOT NULL THEN $12::text WHEN $13::boolean THEN NULL ELSE plan_state_lineage END
     WHERE id = $1 AND worker_id = $2 AND state = $3
     RETURNING id`,
    [
      move.runId,
      move.workerId,
      move.from,
      move.to,
      move.note,
      move.release,
      move.delta === undefined ? null : JSON.stringify(move.delta),
      move.failure ?? null,
      move.commit ?? null,
      move.plan?.sealed ?? null,
      move.plan?.stateSerial ?? null,
      move.plan?.stateLineage ?? null,
      move.dropPlan === true,
    ],
  );
  return rows.length > 0;
}

/** Appends bytes to the log of a run the worker holds; false when it no longer holds it. */
export async function appendRunLog(db: Queryable, runId: string, workerId: string, content: Uint8Array): Promise<boolean> {
  const rows = await db.query(
    `WITH run AS (
       UPDATE runs SET log_bytes = log_bytes + $3 WHERE id = $1 AND worker_id = $2 RETURNING log_bytes - $3 AS start_offset
     )
     INSERT INTO run_log_chunks (run_id, start_offset, content) SELECT $1, start_offset, $4 FROM run RETURNING start_offset`,
    [runId, workerId, content.byteLength, content],
  );
  return rows.length > 0;
}

/** Appends to a run's log whoever holds it (the sweeper's note on a lost run, an API action's note). */
export async function appendRunLogUnguarded(db: Queryable, runId: string, content: Uint8Array): Promise<void> {
  await db.query(
    `WITH run AS (UPDATE runs SET log_bytes = log_bytes + $2 WHERE id = $1 RETURNING log_bytes - $2 AS start_offset)
     INSERT INTO run_log_chunks (run_id, start_offset, content) SELECT $1, start_offset, $3 FROM run`,
    [runId, content.byteLength, content],
  );
}

/** Up to `maxBytes` of a run's log from byte `offset`, and the log's length. */
export async function readRunLog(db: Queryable, runId: string, offset: number, maxBytes: number): Promise<{ content: Buffer; total: number }> {
  const rows = await db.query<{ start_offset: string | number; content: Uint8Array }>(
    `SELECT start_offset, content FROM run_log_chunks
     WHERE run_id = $1 AND start_offset + length(content) > $2 AND start_offset < $2 + $3
     ORDER BY start_offset`,
    [runId, offset, maxBytes],
  );
  const [total] = await db.query<{ log_bytes: string | number }>('SELECT log_bytes FROM runs WHERE id = $1', [runId]);
  const parts = rows.map((row) => {
    const start = Number(row.start_offset);
    const bytes = Buffer.from(row.content);
    return bytes.subarray(Math.max(0, offset - start), Math.max(0, offset + maxBytes - start));
  });
  return { content: Buffer.concat(parts), total: Number(total?.log_bytes ?? 0) };
}

/** One run, with everything the API shows; null when the stack has no such run. */
export async function findStackRun(db: Queryable, stackId: string, runId: string): Promise<QueuedRunRow | null> {
  const [row] = await db.query<QueuedRunRow>('SELECT * FROM runs WHERE id = $1 AND stack_id = $2', [runId, stackId]);
  return row ?? null;
}

export async function findRunById(db: Queryable, runId: string): Promise<QueuedRunRow | null> {
  const [row] = await db.query<QueuedRunRow>('SELECT * FROM runs WHERE id = $1', [runId]);
  return row ?? null;
}

/** The run locked for an API action in the caller's transaction. */
export async function lockStackRun(tx: Queryable, stackId: string, runId: string): Promise<QueuedRunRow | null> {
  const [row] = await tx.query<QueuedRunRow>('SELECT * FROM runs WHERE id = $1 AND stack_id = $2 FOR UPDATE', [runId, stackId]);
  return row ?? null;
}

/** Moves a run no worker holds (an API action on a waiting run), in the caller's transaction. */
export async function moveWaitingRun(tx: Queryable, runId: string, to: RunState, note: string, failure: string | null): Promise<QueuedRunRow> {
  const [row] = await tx.query<QueuedRunRow>(
    `UPDATE runs SET state = $2, ${appendHistory('$2', '$3')}, failure = COALESCE($4, failure),
       feedback_due = $2 IN (${TERMINAL_STATES_SQL}),
       plan_sealed = CASE WHEN $2 IN (${TERMINAL_STATES_SQL}) THEN NULL ELSE plan_sealed END
     WHERE id = $1 RETURNING *`,
    [runId, to, note, failure],
  );
  return row as QueuedRunRow;
}

/** Asks the worker executing a run to cancel it (it interrupts terraform, then records CANCELED). */
export async function requestCancel(tx: Queryable, runId: string, note: string): Promise<QueuedRunRow> {
  const [row] = await tx.query<QueuedRunRow>(
    `UPDATE runs SET cancel_requested_at = COALESCE(cancel_requested_at, clock_timestamp()),
       ${appendHistory('state', '$2')}
     WHERE id = $1 RETURNING *`,
    [runId, note],
  );
  return row as QueuedRunRow;
}

/**
 * Ends every run whose worker's lease ran out (its worker died or lost the database): FAILED ("worker lost"), or
 * CANCELED when a cancel had been asked for. Returns the runs it ended.
 */
export async function expireLostRuns(db: Queryable, failure: string): Promise<QueuedRunRow[]> {
  return db.query<QueuedRunRow>(
    `UPDATE runs SET
       state = CASE WHEN cancel_requested_at IS NOT NULL THEN 'CANCELED' ELSE 'FAILED' END,
       failure = $1,
       ${appendHistory(`CASE WHEN cancel_requested_at IS NOT NULL THEN 'CANCELED' ELSE 'FAILED' END`, '$1')},
       worker_id = NULL, lease_expires_at = NULL, plan_sealed = NULL
     WHERE id IN (
       SELECT id FROM runs WHERE worker_id IS NOT NULL AND lease_expires_at <= clock_timestamp() AND state NOT IN (${TERMINAL_STATES_SQL})
       FOR UPDATE SKIP LOCKED
     )
     RETURNING *`,
    [failure],
  );
}

/** Runs an API action ended without a worker, whose build status is still to be posted (each handed out once). */
export async function takeFeedbackDue(db: Queryable): Promise<QueuedRunRow[]> {
  return db.query<QueuedRunRow>(
    `UPDATE runs SET feedback_due = false
     WHERE id IN (SELECT id FROM runs WHERE feedback_due FOR UPDATE SKIP LOCKED LIMIT 100)
     RETURNING *`,
  );
}

/** Keeps the last outcome of the run's feedback to Bitbucket. */
export async function recordFeedback(db: Queryable, runId: string, feedback: Record<string, unknown>): Promise<void> {
  await db.query('UPDATE runs SET feedback = $2::jsonb WHERE id = $1', [runId, JSON.stringify(feedback)]);
}

/** A run as the runs API shows it. */
export interface RunDetails {
  id: string;
  stackId: string;
  kind: RunKind;
  state: RunState;
  trigger: string;
  branch: string;
  commit: string | null;
  pullRequestId: number | null;
  deliveryId: string | null;
  triggeredBy: string | null;
  note: string | null;
  createdAt: string;
  history: RunHistoryEntry[];
  delta: RunDelta | null;
  failure: string | null;
  cancelRequested: boolean;
  feedback: Record<string, unknown> | null;
  updatedAt: string;
}

export function toRunDetails(row: QueuedRunRow): RunDetails {
  return {
    id: row.id,
    stackId: row.stack_id,
    kind: row.kind,
    state: row.state,
    trigger: row.trigger,
    branch: row.branch,
    commit: row.commit_sha,
    pullRequestId: row.pull_request_id === null ? null : Number(row.pull_request_id),
    deliveryId: row.delivery_id,
    triggeredBy: row.triggered_by,
    note: row.trigger_note ?? null,
    createdAt: isoTimestamp(row.created_at),
    history: historyOf(row),
    delta: deltaOf(row),
    failure: row.failure,
    cancelRequested: row.cancel_requested_at !== null,
    feedback: feedbackOf(row),
    updatedAt: isoTimestamp(row.updated_at),
  };
}

/** Where a pull-request comment of a stack lives. */
export interface CommentPlace {
  stackId: string;
  projectKey: string;
  repositorySlug: string;
  pullRequestId: number;
}

/** The comment a stack keeps on a pull request (its id and the version last written), or null. */
export async function findPullRequestComment(db: Queryable, place: CommentPlace): Promise<{ id: number; version: number } | null> {
  const [row] = await db.query<{ comment_id: string | number; version: number }>(
    `SELECT comment_id, version FROM pull_request_comments
     WHERE stack_id = $1 AND project_key = upper($2) AND repository_slug = lower($3) AND pull_request_id = $4`,
    [place.stackId, place.projectKey, place.repositorySlug, place.pullRequestId],
  );
  return row === undefined ? null : { id: Number(row.comment_id), version: row.version };
}

export async function savePullRequestComment(db: Queryable, place: CommentPlace, comment: { id: number; version: number }): Promise<void> {
  await db.query(
    `INSERT INTO pull_request_comments (stack_id, project_key, repository_slug, pull_request_id, comment_id, version)
     VALUES ($1, upper($2), lower($3), $4, $5, $6)
     ON CONFLICT (stack_id, project_key, repository_slug, pull_request_id)
     DO UPDATE SET comment_id = EXCLUDED.comment_id, version = EXCLUDED.version, updated_at = now()`,
    [place.stackId, place.projectKey, place.repositorySlug, place.pullRequestId, comment.id, comment.version],
  );
}
