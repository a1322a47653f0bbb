import type { Run, RunRequest } from '../domain/runs';
import type { Queryable } from './database';
import type { Page } from './deliveries';
import { isoTimestamp } from './rows';

interface RunRow {
  id: string;
  seq: string | number;
  stack_id: string;
  kind: Run['kind'];
  trigger: string;
  branch: string;
  commit_sha: string | null;
  pull_request_id: string | number | null;
  delivery_id: string | null;
  triggered_by: string | null;
  created_at: Date;
}

function toRun(row: RunRow): Run {
  return {
    id: row.id,
    stackId: row.stack_id,
    kind: row.kind,
    state: 'QUEUED',
    trigger: row.trigger,
    branch: row.branch,
    commit: row.commit_sha,
    pullRequestId: row.pull_request_id === null ? null : Number(row.pull_request_id),
    deliveryId: row.delivery_id,
    triggeredBy: row.triggered_by,
    createdAt: isoTimestamp(row.created_at),
  };
}

/** Records a run someone triggered through the API. */
export async function insertManualRun(db: Queryable, run: RunRequest, triggeredBy: string): Promise<Run> {
  const [row] = await db.query<RunRow>(
    `INSERT INTO runs (stack_id, kind, trigger, branch, commit_sha, pull_request_id, triggered_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
    [run.stackId, run.kind, run.trigger, run.branch, run.commit, run.pullRequestId, triggeredBy],
  );
  return toRun(row as RunRow);
}

/** A stack's runs, newest first; `cursor` is the previous page's `nextCursor`. */
export async function listRuns(db: Queryable, stackId: string, limit: number, cursor: bigint | null): Promise<Page<Run>> {
  const rows = await db.query<RunRow>(
    `SELECT * FROM runs
     WHERE stack_id = $1 AND ($2::bigint IS NULL OR seq < $2::bigint)
     ORDER BY seq DESC
     LIMIT $3`,
    [stackId, cursor === null ? null : cursor.toString(), limit + 1],
  );
  return { items: rows.slice(0, limit).map(toRun), nextCursor: rows.length > limit ? String(rows[limit - 1].seq) : null };
}
