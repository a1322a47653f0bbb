import { randomUUID } from 'node:crypto';
import type { Delivery, DeliveryOutcome, RepositoryRef, Run, RunRequest } from '../domain/runs';
import type { Queryable } from './database';
import { isoTimestamp } from './rows';

/**
 * PostgreSQL text cannot hold U+0000 or lone UTF-16 surrogates, and headers or parser messages quoting a hostile
 * body may contain them; the log replaces them with U+FFFD and keeps everything else verbatim.
 */
function storable(text: string | null | undefined): string | null {
  return text === null || text === undefined
    ? null
    : text.replace(/\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
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

/** An accepted delivery to record, with the runs it queues. */
export interface AcceptedDeliveryRecord {
  delivery: DeliveryRecord;
  runs: readonly RunRequest[];
}

/**
 * Records accepted deliveries together with the runs they queue, all in one statement, so every delivery and
 * its runs commit (and are durable) together before the receiver answers. A delivery whose X-Request-Id was
 * already accepted for its integration — earlier, by another replica at the same moment, or earlier in the same
 * batch — is not inserted: the unique index decides, not a read-then-write check. Rows go in sorted by
 * (integration, request id) so that concurrent batches from several replicas take index locks in the same
 * order and cannot deadlock.
 */
export async function recordAcceptedDeliveries(db: Queryable, records: readonly AcceptedDeliveryRecord[]): Promise<AcceptedDelivery[]> {
  const deliveries = records.map(({ delivery }) => ({
    id: randomUUID(),
    integration_id: delivery.integrationId,
    request_id: storable(delivery.requestId),
    event_key: storable(delivery.eventKey),
    project_key: storable(delivery.repository?.projectKey),
    repository_slug: storable(delivery.repository?.repositorySlug),
    outcome: delivery.outcome,
    status_code: delivery.statusCode,
    reason: storable(delivery.reason),
  }));
  const runs = records.flatMap(({ runs: requested }, index) =>
    requested.map((run) => ({ id: randomUUID(), delivery_id: deliveries[index]?.id as string, request: run })),
  );
  const [row] = await db.query<{ inserted: string[] | null; created_at: Date }>(
    `WITH inserted AS (
       INSERT INTO deliveries (id, integration_id, request_id, idempotency_key, event_key, project_key, repository_slug,
                               outcome, status_code, reason)
       SELECT d.id, d.integration_id, d.request_id, d.request_id, d.event_key, d.project_key, d.repository_slug,
              d.outcome, d.status_code, d.reason
       FROM json_populate_recordset(NULL::deliveries, $1::json) WITH ORDINALITY AS d
       ORDER BY d.integration_id, d.request_id, d.ordinality
       ON CONFLICT (integration_id, idempotency_key) DO NOTHING
       RETURNING id
     ), queued AS (
       INSERT INTO runs (id, stack_id, kind, trigger, branch, commit_sha, pull_request_id, delivery_id)
       SELECT r.id, r.stack_id, r.kind, r.trigger, r.branch, r.commit_sha, r.pull_request_id, inserted.id
       FROM json_populate_recordset(NULL::runs, $2::json) WITH ORDINALITY AS r
       JOIN inserted ON inserted.id = r.delivery_id
       ORDER BY r.ordinality
     )
     SELECT (SELECT array_agg(id::text) FROM inserted) AS inserted, now() AS created_at`,
    // JSON keys are the column names: json_populate_recordset converts each row to the table's types in one step.
    [
      JSON.stringify(deliveries),
      JSON.stringify(
        runs.map(({ id, delivery_id, request }) => ({
          id,
          delivery_id,
          stack_id: request.stackId,
          kind: request.kind,
          trigger: request.trigger,
          branch: request.branch,
          commit_sha: request.commit,
          pull_request_id: request.pullRequestId,
        })),
      ),
    ],
  );
  const inserted = new Set(row?.inserted ?? []);
  const createdAt = isoTimestamp(row?.created_at);
  return deliveries.map(({ id: deliveryId }): AcceptedDelivery => {
    if (!inserted.has(deliveryId)) return { duplicate: true };
    return {
      duplicate: false,
      deliveryId,
      runs: runs
        .filter((run) => run.delivery_id === deliveryId)
        .map(({ id, request }) => ({ ...request, id, state: 'QUEUED', deliveryId, triggeredBy: null, createdAt })),
    };
  });
}

/** What the receiver needs of an integration to authenticate a delivery. */
export interface WebhookTarget {
  id: string;
  isDefault: boolean;
  webhookSecret: string;
}

/** The webhook targets among these integration ids (unknown ids are left out). */
export async function findWebhookTargets(db: Queryable, ids: readonly string[]): Promise<WebhookTarget[]> {
  const rows = await db.query<{ id: string; is_default: boolean; webhook_secret: string }>(
    'SELECT id, is_default, webhook_secret FROM integrations WHERE id = ANY($1::text[])',
    [ids],
  );
  return rows.map((row) => ({ id: row.id, isDefault: row.is_default, webhookSecret: row.webhook_secret }));
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
