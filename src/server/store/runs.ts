import type { RepositoryRef, Run, RunRequest, TriggerableStack } from '../../domain/runs';
import type { Queryable } from './database';
import type { Page } from './deliveries';
import { appendHistory, toRunDetails, type QueuedRunRow, type RunDetails } from './run-queue';
import { integrationServesSql } from './serving';

/** Records a run someone triggered through the API. */
export async function insertManualRun(db: Queryable, run: RunRequest, triggeredBy: string): Promise<RunDetails> {
  const [row] = await db.query<QueuedRunRow>(
    `INSERT INTO runs (stack_id, kind, trigger, branch, commit_sha, pull_request_id, triggered_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
    [run.stackId, run.kind, run.trigger, run.branch, run.commit, run.pullRequestId, triggeredBy],
  );
  return toRunDetails(row as QueuedRunRow);
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
    project_root: string;
  }>(
    `SELECT q.position, s.id, s.integration_id, s.detached, s.project_key, s.repository_slug, s.branch, s.project_root
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
      projectRoot: row.project_root,
    });
  }
  return stacks;
}

/** A pull-request event whose run already existed (one run per stack, kind and commit). */
export interface PullRequestLink {
  stackId: string;
  kind: Run['kind'];
  commit: string;
  pullRequestId: number;
}

/**
 * Links pull requests to the live runs of their commits that have none yet (SPEC §7.6: a push came first and the
 * pull request's event was not queued again), so the run's feedback also reaches the pull request. Answers how many
 * of them had ended already and now owe the pull request their comment.
 */
export async function linkPullRequests(db: Queryable, links: readonly PullRequestLink[]): Promise<{ feedbackDue: number }> {
  if (links.length === 0) return { feedbackDue: 0 };
  const rows = await db.query<{ feedback_due: boolean }>(
    // A run that has ended already owes the pull request its comment at once: a worker's sweep posts it.
    `UPDATE runs SET pull_request_id = l.pull_request_id, feedback_due = runs.state IN ('FINISHED', 'FAILED')
     FROM json_to_recordset($1::json) AS l(stack_id text, kind text, commit_sha text, pull_request_id bigint)
     WHERE runs.stack_id = l.stack_id AND runs.kind = l.kind AND runs.commit_sha = l.commit_sha
       AND runs.pull_request_id IS NULL AND runs.state NOT IN ('CANCELED', 'DISCARDED')
     RETURNING runs.feedback_due`,
    [JSON.stringify(links.map((link) => ({ stack_id: link.stackId, kind: link.kind, commit_sha: link.commit, pull_request_id: link.pullRequestId })))],
  );
  return { feedbackDue: rows.filter((row) => row.feedback_due).length };
}

/**
 * Cancels the older PROPOSED runs of a stack's branch that still wait in QUEUED once a newer one was queued for it
 * (SPEC §1), each with the reason naming the newer run. Answers the ids of the runs it canceled.
 */
export async function cancelSupersededRuns(db: Queryable, newer: ReadonlyArray<Pick<Run, 'id' | 'stackId' | 'kind' | 'branch'> & { reason: string }>): Promise<string[]> {
  const proposed = newer.filter((run) => run.kind === 'PROPOSED');
  if (proposed.length === 0) return [];
  const rows = await db.query<{ id: string }>(
    `UPDATE runs SET state = 'CANCELED', failure = n.reason, ${appendHistory("'CANCELED'", 'n.reason')}
     FROM json_to_recordset($1::json) AS n(id uuid, stack_id text, branch text, reason text)
     JOIN runs newer ON newer.id = n.id
     WHERE runs.stack_id = n.stack_id AND runs.kind = 'PROPOSED' AND runs.branch = n.branch
       AND runs.seq < newer.seq AND runs.state = 'QUEUED'
     RETURNING runs.id`,
    [JSON.stringify(proposed.map((run) => ({ id: run.id, stack_id: run.stackId, branch: run.branch, reason: run.reason })))],
  );
  return rows.map((row) => row.id);
}
