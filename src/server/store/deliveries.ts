import { randomUUID } from 'node:crypto';
import { triggeredDeliveryReason, type Delivery, type DeliveryOutcome, type RepositoryRef, type Run, type RunRequest } from '../../domain/runs';
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

/**
 * A recorded delivery, the runs recorded with it and the reason stored for it; or `duplicate` when its X-Request-Id
 * was already accepted.
 */
export type AcceptedDelivery = { duplicate: false; deliveryId: string; runs: Run[]; reason: string } | { duplicate: true };

/** An accepted delivery to record, with the runs it asks for. */
export interface AcceptedDeliveryRecord {
  delivery: DeliveryRecord;
  runs: readonly RunRequest[];
}

/** A live run (not CANCELED or DISCARDED) of the same stack, kind and commit makes an event's run a repeat. */
const LIVE_RUN = `state NOT IN ('CANCELED', 'DISCARDED')`;

/**
 * Records accepted deliveries together with the runs they ask for, all in one statement, so every delivery and its
 * runs commit (and are durable) together before the receiver answers.
 *
 * - A delivery whose X-Request-Id was already accepted for its integration — earlier, by another replica at the
 *   same moment, or earlier in the same batch — is not inserted: the unique index decides, not a read-then-write.
 * - One run per (stack, kind, commit) (SPEC §1): a run whose stack already has a live run of that kind for that
 *   commit is not inserted, unless it is deliberate (a `/liftgate plan` re-plan or a manual trigger). Earlier runs
 *   are found by an index probe; a run another replica (or another delivery of the same batch) is inserting at the
 *   same moment is stopped by the unique index runs_one_per_commit.
 * - Deliveries go in sorted by (integration, request id), so that concurrent batches from several replicas take
 *   those index locks in the same order and cannot deadlock. Runs go in in arrival order, which their list shows;
 *   two batches can only wait on each other's runs when different deliveries of the same commits reach two replicas
 *   in opposite orders at once, and then PostgreSQL's deadlock detection fails one batch and the Coalescer records
 *   its deliveries one by one.
 * A TRIGGERED delivery some of whose runs already existed gets its reason (triggeredDeliveryReason) corrected by a
 * second statement before the receiver answers. It is not one transaction with the first because a transaction per
 * batch cost a sixth of the receiver's throughput; should the process die between the two, the entry's runIds still
 * show what was queued.
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
  const [row] = await db.query<{ inserted: string[] | null; queued: string[] | null; created_at: Date }>(
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
       INSERT INTO runs (id, stack_id, kind, trigger, branch, commit_sha, pull_request_id, delivery_id, dedupe_commit, trigger_note)
       SELECT r.id, r.stack_id, r.kind, r.trigger, r.branch, r.commit_sha, r.pull_request_id, inserted.id, r.dedupe_commit, r.trigger_note
       FROM json_populate_recordset(NULL::runs, $2::json) WITH ORDINALITY AS r
       JOIN inserted ON inserted.id = r.delivery_id
       -- A LATERAL lookup with LIMIT 1 is an index probe per run; NOT EXISTS here planned as a hashed subplan that
       -- read every run of the store for each batch.
       LEFT JOIN LATERAL (
         SELECT 1 AS found FROM runs existing
         WHERE existing.stack_id = r.stack_id AND existing.kind = r.kind AND existing.commit_sha = r.commit_sha AND existing.${LIVE_RUN}
         LIMIT 1
       ) earlier ON true
       WHERE r.dedupe_commit IS NULL OR earlier.found IS NULL
       ORDER BY r.ordinality
       ON CONFLICT (stack_id, kind, dedupe_commit) WHERE dedupe_commit IS NOT NULL AND ${LIVE_RUN} DO NOTHING
       RETURNING id
     )
     SELECT (SELECT array_agg(id::text) FROM inserted) AS inserted, (SELECT array_agg(id::text) FROM queued) AS queued,
            now() AS created_at`,
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
          dedupe_commit: request.deliberate ? null : request.commit,
          trigger_note: request.note,
        })),
      ),
    ],
  );
  const inserted = new Set(row?.inserted ?? []);
  const queued = new Set(row?.queued ?? []);
  const createdAt = isoTimestamp(row?.created_at);
  const results = deliveries.map(({ id: deliveryId, reason }, index): AcceptedDelivery => {
    if (!inserted.has(deliveryId)) return { duplicate: true };
    const requested = runs.filter((run) => run.delivery_id === deliveryId);
    const recorded = requested.filter((run) => queued.has(run.id));
    return {
      duplicate: false,
      deliveryId,
      reason:
        // A delivery that asked for no run keeps the receiver's reason (why it starts none).
        records[index]?.delivery.outcome === 'TRIGGERED' && requested.length > 0
          ? triggeredDeliveryReason(requested.length, recorded.length)
          : (reason as string),
      runs: recorded.map(({ id, request: { deliberate: _deliberate, ...request } }) => ({
        ...request,
        id,
        state: 'QUEUED',
        failure: null,
        deliveryId,
        triggeredBy: null,
        createdAt,
      })),
    };
  });
  const corrected = results.flatMap((result, index) =>
    !result.duplicate && result.reason !== deliveries[index]?.reason ? [{ id: result.deliveryId, reason: result.reason }] : [],
  );
  if (corrected.length > 0) {
    await db.query(
      `UPDATE deliveries SET reason = c.reason
       FROM json_to_recordset($1::json) AS c(id uuid, reason text)
       WHERE deliveries.id = c.id`,
      [JSON.stringify(corrected)],
    );
  }
  return results;
}

/** What the receiver needs of an integration to authenticate a delivery. */
export interface WebhookTarget {
  id: string;
  isDefault: boolean;
  /** Sealed; open it with webhookSecretContext(id). */
  webhookSecretEncrypted: string;
}

/** The webhook targets among these integration ids (unknown ids are left out). */
export async function findWebhookTargets(db: Queryable, ids: readonly string[]): Promise<WebhookTarget[]> {
  const rows = await db.query<{ id: string; is_default: boolean; webhook_secret_encrypted: string }>(
    'SELECT id, is_default, webhook_secret_encrypted FROM integrations WHERE id = ANY($1::text[])',
    [ids],
  );
  return rows.map((row) => ({ id: row.id, isDefault: row.is_default, webhookSecretEncrypted: row.webhook_secret_encrypted }));
}

/**
 * How many refused deliveries of one integration are recorded one by one per window; beyond that, one entry per
 * window counts them. A flood of unsigned requests therefore adds at most `perWindow + 1` rows per integration and
 * window (plus one when two replicas start a summary at once), however many requests it makes.
 */
export interface RejectionBudget {
  perWindow: number;
  windowSeconds: number;
}

export const REJECTION_BUDGET: RejectionBudget = { perWindow: 30, windowSeconds: 60 };

/**
 * Records deliveries the receiver refused (bad signature, body or size); refusals are never deduplicated. Within the
 * budget each gets its own entry; past it, the newest summary entry of the window counts them (`repeats`,
 * `last_received_at`), or a summary entry is started. A summary names no request, event or repository: it stands
 * for many, whose claims differ. One statement per integration in the batch decides and
 * writes; updating only unindexed columns keeps the counter's row versions on their page (HOT), so counting does
 * not grow the table. A batch with an integration that no longer exists fails with a foreign-key violation.
 */
export async function recordRejectedDeliveries(
  db: Queryable,
  deliveries: readonly DeliveryRecord[],
  budget: RejectionBudget = REJECTION_BUDGET,
): Promise<void> {
  const byIntegration = new Map<string, DeliveryRecord[]>();
  for (const delivery of deliveries) byIntegration.set(delivery.integrationId, [...(byIntegration.get(delivery.integrationId) ?? []), delivery]);
  for (const [integrationId, refused] of byIntegration) {
    const batch = refused.map((delivery, index) => ({
      position: index + 1,
      request_id: storable(delivery.requestId),
      event_key: storable(delivery.eventKey),
      project_key: storable(delivery.repository?.projectKey),
      repository_slug: storable(delivery.repository?.repositorySlug),
      status_code: delivery.statusCode,
      reason: storable(delivery.reason),
      summary_reason: storable(
        `more than ${budget.perWindow} refused deliveries within ${budget.windowSeconds} s: this entry counts them ` +
          `(the first it counts: ${delivery.reason})`,
      ),
    }));
    await db.query(
      `WITH recent AS (
         SELECT count(*)::integer AS individual FROM (
           SELECT 1 FROM deliveries
           WHERE integration_id = $1 AND outcome = 'REJECTED' AND NOT summary
             AND received_at > now() - make_interval(secs => $3::double precision)
           LIMIT $4::integer
         ) window_entries
       ), batch AS (
         SELECT b.*, (b.position > greatest($4::integer - recent.individual, 0)) AS over_budget
         FROM json_to_recordset($2::json) AS b(position integer, request_id text, event_key text, project_key text,
                                               repository_slug text, status_code integer, reason text, summary_reason text),
              recent
       ), singles AS (
         INSERT INTO deliveries (integration_id, request_id, event_key, project_key, repository_slug, outcome, status_code, reason)
         SELECT $1, request_id, event_key, project_key, repository_slug, 'REJECTED', status_code, reason
         FROM batch WHERE NOT over_budget ORDER BY position
       ), overflow AS (
         SELECT count(*)::integer AS n FROM batch WHERE over_budget
       ), counted AS (
         UPDATE deliveries SET repeats = repeats + (SELECT n FROM overflow), last_received_at = clock_timestamp()
         WHERE id = (
           SELECT id FROM deliveries
           WHERE integration_id = $1 AND outcome = 'REJECTED' AND summary
             AND received_at > now() - make_interval(secs => $3::double precision)
           ORDER BY received_at DESC
           LIMIT 1
         ) AND (SELECT n FROM overflow) > 0
         RETURNING id
       )
       INSERT INTO deliveries (integration_id, request_id, event_key, project_key, repository_slug, outcome, status_code, reason,
                               summary, repeats, last_received_at)
       SELECT $1, NULL, NULL, NULL, NULL, 'REJECTED', status_code, summary_reason, true, (SELECT n FROM overflow), clock_timestamp()
       FROM (SELECT * FROM batch WHERE over_budget ORDER BY position LIMIT 1) first_over
       WHERE NOT EXISTS (SELECT 1 FROM counted)`,
      [integrationId, JSON.stringify(batch), budget.windowSeconds, budget.perWindow],
    );
  }
}

/**
 * Deletes log entries whose last delivery is older than `retentionSeconds`, in batches so that a large backlog
 * never holds the store in one long statement. Runs keep existing; their delivery reference is cleared.
 * Returns how many entries were deleted.
 */
export async function pruneDeliveries(db: Queryable, retentionSeconds: number, batchSize = 1000): Promise<number> {
  let deleted = 0;
  for (;;) {
    const rows = await db.query<{ id: string }>(
      `DELETE FROM deliveries WHERE id IN (
         SELECT id FROM deliveries
         WHERE received_at < now() - make_interval(secs => $1::double precision)
           AND coalesce(last_received_at, received_at) < now() - make_interval(secs => $1::double precision)
         LIMIT $2::integer
       ) RETURNING id`,
      [retentionSeconds, batchSize],
    );
    deleted += rows.length;
    if (rows.length < batchSize) return deleted;
  }
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
  repeats: number;
  last_received_at: Date | null;
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
      count: row.repeats,
      lastReceivedAt: isoTimestamp(row.last_received_at ?? row.received_at),
    }),
  );
  return { items, nextCursor: rows.length > limit ? String(rows[limit - 1].seq) : null };
}
