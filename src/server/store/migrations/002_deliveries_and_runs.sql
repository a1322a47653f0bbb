-- The webhook receiver's tables: every delivery Bitbucket made (the delivery log) and the runs they queued.

CREATE TABLE deliveries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Insertion order for the newest-first log and its cursor (uuids and timestamps do not order reliably).
  seq bigint GENERATED ALWAYS AS IDENTITY,
  -- A re-created integration (same name, same id) starts with an empty log.
  integration_id text NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
  -- X-Request-Id as received (NULL when the sender gave none).
  request_id text,
  -- X-Request-Id of an accepted delivery. The unique index below makes a repeat a no-op even when replicas
  -- sharing one PostgreSQL receive it at the same time; rejected deliveries leave it NULL so a correctly
  -- signed retry of a rejected one is still processed.
  idempotency_key text,
  event_key text,
  project_key text,
  repository_slug text,
  outcome text NOT NULL CHECK (outcome IN ('TRIGGERED', 'IGNORED', 'REJECTED')),
  status_code integer NOT NULL,
  reason text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX deliveries_accepted_once ON deliveries (integration_id, idempotency_key);
CREATE INDEX deliveries_log ON deliveries (integration_id, seq DESC);

CREATE TABLE runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq bigint GENERATED ALWAYS AS IDENTITY,
  stack_id text NOT NULL REFERENCES stacks (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('TRACKED', 'PROPOSED')),
  state text NOT NULL DEFAULT 'QUEUED',
  -- The Bitbucket event key that started the run, or 'manual'.
  trigger text NOT NULL,
  branch text NOT NULL,
  commit_sha text,
  pull_request_id bigint,
  delivery_id uuid REFERENCES deliveries (id) ON DELETE SET NULL,
  -- The API key that triggered a manual run.
  triggered_by text,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX runs_by_stack ON runs (stack_id, seq DESC);
-- Deleting an integration deletes its deliveries, which clears delivery_id here without a scan.
CREATE INDEX runs_by_delivery ON runs (delivery_id);
