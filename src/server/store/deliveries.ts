import type { Delivery, DeliveryOutcome, RepositoryRef, Run, RunRequest } from '../domain/runs';
import type { Queryable } from './database';
import { isoTimestamp } from './rows';

/**
 * PostgreSQL text cannot hold U+0000, and headers or parser messages quoting a hostile body may contain it; the
 * log keeps everything else verbatim.
 */
function storable(text: string | null | undefined): string | null {
  return text === null || text === undefined ? null : text.replace(/\u0000/g, '\uFFFD');
}

/** What the receiver knows about a delivery when it records it. */
export interface DeliveryRecord {
  integrationId: string;
  requestId: string | null;
  eventKey: string | null;
  repository: RepositoryRef | null;
  outcome: DeliveryOutcome;
  statusCode: number;
  reason: string;
}

/** A recorded delivery and the runs recorded with it, or `duplicate` when its X-Request-Id was already accepted. */
export type AcceptedDelivery = { duplicate: false; deliveryId: string; runs: Run[] } | { duplicate: true };

interface AcceptedRow {
  delivery_id: string | null;
  runs: Array<{
    id: string;
    stack_id: string;
    kind: Run['kind'];
    trigger: string;
    branch: string;
    commit_sha: string | null;
    pull_request_id: number | null;
    created_at: string;
  }> | null;
}

/**
 * Records an accepted delivery together with the runs it queues, in one statement, so both commit (and are
 * durable) together before the receiver answers. The insert of the delivery does nothing when the same
 * X-Request-Id was already accepted for this integration: the unique index decides, so two replicas receiving
 * the same delivery at once cannot both record it.
 */
export async function recordAcceptedDelivery(db: Queryable, delivery: DeliveryRecord, runs: readonly RunRequest[]): Promise<AcceptedDelivery> {
  const [row] = await db.query<AcceptedRow>(
    `WITH delivery AS (
       INSERT INTO deliveries (integration_id, request_id, idempotency_key, event_key, project_key, repository_slug,
                               outcome, status_code, reason)
       VALUES ($1, $2, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (integration_id, idempotency_key) DO NOTHING
       RETURNING id
     ), queued AS (
       INSERT INTO runs (stack_id, kind, trigger, branch, commit_sha, pull_request_id, delivery_id)
       SELECT r.run->>'stack_id', r.run->>'kind', r.run->>'trigger', r.run->>'branch', r.run->>'commit_sha',
              (r.run->>'pull_request_id')::bigint, delivery.id
       FROM delivery, jsonb_array_elements($9::jsonb) WITH ORDINALITY AS r(run, position)
       ORDER BY r.position
       RETURNING id, stack_id, kind, trigger, branch, commit_sha, pull_request_id, created_at, seq
     )
     SELECT (SELECT id FROM delivery) AS delivery_id,
            (SELECT json_agg(queued ORDER BY seq) FROM queued) AS runs`,
    [
      delivery.integrationId,
      storable(delivery.requestId),
      storable(delivery.eventKey),
      storable(delivery.repository?.projectKey),
      storable(delivery.repository?.repositorySlug),
      delivery.outcome,
      delivery.statusCode,
      storable(delivery.reason),
      JSON.stringify(
        runs.map((run) => ({
          stack_id: run.stackId,
          kind: run.kind,
          trigger: run.trigger,
          branch: run.branch,
          commit_sha: run.commit,
          pull_request_id: run.pullRequestId,
        })),
      ),
    ],
  );
  if (row === undefined || row.delivery_id === null) {
    return { duplicate: true };
  }
  const deliveryId = row.delivery_id;
  return {
    duplicate: false,
    deliveryId,
    runs: (row.runs ?? []).map((run) => ({
      id: run.id,
      stackId: run.stack_id,
      kind: run.kind,
      state: 'QUEUED',
      trigger: run.trigger,
      branch: run.branch,
      commit: run.commit_sha,
      pullRequestId: run.pull_request_id === null ? null : Number(run.pull_request_id),
      deliveryId,
      triggeredBy: null,
      createdAt: isoTimestamp(run.created_at),
    })),
  };
}

/** Records a delivery the receiver refused (bad signature, body or size). Refusals are never deduplicated. */
export async function recordRejectedDelivery(db: Queryable, delivery: DeliveryRecord): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO deliveries (integration_id, request_id, event_key, project_key, repository_slug, outcome, status_code, reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [
      delivery.integrationId,
      storable(delivery.requestId),
      storable(delivery.eventKey),
      storable(delivery.repository?.projectKey),
      storable(delivery.repository?.repositorySlug),
      delivery.outcome,
      delivery.statusCode,
      storable(delivery.reason),
    ],
  );
  return (row as { id: string }).id;
}

interface DeliveryRow {
  id: string;
  seq: string | number;
  integration_id: string;
  request_id: string | null;
  event_key: string | null;
  project_key: string | null;
  repository_slug: string | null;
  outcome: DeliveryOutcome;
  status_code: number;
  reason: string;
  run_ids: string[] | null;
  received_at: Date;
}

/** A page of a newest-first list and the cursor of the next page (null on the last). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * The integration's delivery log, newest first. `cursor` is the `nextCursor` of the previous page: the
 * position (insertion sequence) below which the next page starts.
 */
export async function listDeliveries(db: Queryable, integrationId: string, limit: number, cursor: bigint | null): Promise<Page<Delivery>> {
  const rows = await db.query<DeliveryRow>(
    `SELECT d.*, (SELECT array_agg(r.id::text ORDER BY r.seq) FROM runs r WHERE r.delivery_id = d.id) AS run_ids
     FROM deliveries d
     WHERE d.integration_id = $1 AND ($2::bigint IS NULL OR d.seq < $2::bigint)
     ORDER BY d.seq DESC
     LIMIT $3`,
    [integrationId, cursor === null ? null : cursor.toString(), limit + 1],
  );
  const items = rows.slice(0, limit).map(
    (row): Delivery => ({
      id: row.id,
      integrationId: row.integration_id,
      requestId: row.request_id,
      eventKey: row.event_key,
      repository:
        row.project_key === null || row.repository_slug === null
          ? null
          : { projectKey: row.project_key, repositorySlug: row.repository_slug },
      outcome: row.outcome,
      statusCode: row.status_code,
      reason: row.reason,
      runIds: row.run_ids ?? [],
      receivedAt: isoTimestamp(row.received_at),
    }),
  );
  return { items, nextCursor: rows.length > limit ? String(rows[limit - 1].seq) : null };
}
