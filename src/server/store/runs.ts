import type { RepositoryRef, Run, RunRequest, TriggerableStack } from '../../domain/runs';
import type { Queryable } from './database';
import type { Page } from './deliveries';
import { isoTimestamp } from './rows';
import { toRunDetails, type QueuedRunRow, type RunDetails } from './run-queue';
import { integrationServesSql } from './serving';

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
export async function listRuns(db: Queryable, stackId: string, limit: number, cursor: bigint | null): Promise<Page<RunDetails>> {
  const rows = await db.query<QueuedRunRow>(
    `SELECT * FROM runs
     WHERE stack_id = $1 AND ($2::bigint IS NULL OR seq < $2::bigint)
     ORDER BY seq DESC
     LIMIT $3`,
    [stackId, cursor === null ? null : cursor.toString(), limit + 1],
  );
  return { items: rows.slice(0, limit).map(toRunDetails), nextCursor: rows.length > limit ? String(rows[limit - 1].seq) : null };
}

/** A repository a delivery concerns, and the integration it arrived through. */
export interface RepositoryOfDelivery extends RepositoryRef {
  integration: { id: string; isDefault: boolean };
}

/**
 * For each query, the attached stacks on that repository (project keys and slugs compare case-insensitively, as
 * Bitbucket's do) that the integration serves: those naming it, and for the default integration those naming
 * none. One statement for the whole batch.
 */
export async function stacksOnRepositories(db: Queryable, queries: readonly RepositoryOfDelivery[]): Promise<TriggerableStack[][]> {
  const rows = await db.query<{
    position: string | number;
    id: string;
    integration_id: string | null;
    detached: boolean;
    project_key: string;
    repository_slug: string;
    branch: string;
  }>(
    `SELECT q.position, s.id, s.integration_id, s.detached, s.project_key, s.repository_slug, s.branch
     FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS q(query, position)
     JOIN stacks s
       ON lower(s.project_key) = lower(q.query->>'project_key')
      AND lower(s.repository_slug) = lower(q.query->>'repository_slug')
      AND ${integrationServesSql('s', { id: "q.query->>'integration_id'", isDefault: "(q.query->>'is_default')::boolean" })}
     ORDER BY q.position, s.id`,
    [
      JSON.stringify(
        queries.map((query) => ({
          project_key: query.projectKey,
          repository_slug: query.repositorySlug,
          integration_id: query.integration.id,
          is_default: query.integration.isDefault,
        })),
      ),
    ],
  );
  const stacks = queries.map((): TriggerableStack[] => []);
  for (const row of rows) {
    stacks[Number(row.position) - 1]?.push({
      id: row.id,
      integrationId: row.integration_id,
      detached: row.detached,
      projectKey: row.project_key,
      repositorySlug: row.repository_slug,
      branch: row.branch,
    });
  }
  return stacks;
}
