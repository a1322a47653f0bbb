-- Runs that run (SPEC §7): the run's lifecycle (history, delta, failure), the worker holding it and its lease, a
-- requested cancel, the saved plan of an UNCONFIRMED run (sealed), the feedback posted to Bitbucket, and its log.

-- Every state the run passed through: [{ "state", "at", "note" }]. Runs recorded before this migration keep NULL and
-- show one entry, their state at their creation (rows are not rewritten: some predate runs_commit_is_full_id).
ALTER TABLE runs ADD COLUMN history jsonb;
ALTER TABLE runs ALTER COLUMN history SET DEFAULT jsonb_build_array(jsonb_build_object('state', 'QUEUED', 'at', now(), 'note', NULL));
ALTER TABLE runs ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
-- { "add", "change", "destroy" } once planned.
ALTER TABLE runs ADD COLUMN delta jsonb;
-- One clear sentence when FAILED or CANCELED.
ALTER TABLE runs ADD COLUMN IF NOT EXISTS failure text;
-- The worker executing the run and until when its lease holds; NULL while the run waits (QUEUED, UNCONFIRMED,
-- CONFIRMED) or has ended. Every write a worker makes is guarded by worker_id, so a worker that lost its lease writes
-- nothing more.
ALTER TABLE runs ADD COLUMN worker_id text;
ALTER TABLE runs ADD COLUMN lease_expires_at timestamptz;
ALTER TABLE runs ADD COLUMN attempts integer NOT NULL DEFAULT 0;
-- A cancel asked for while a worker executes the run: the worker interrupts terraform, then records CANCELED.
ALTER TABLE runs ADD COLUMN cancel_requested_at timestamptz;
-- The saved plan of a TRACKED run waiting for confirmation (AES-256-GCM, bound to the run), and the state it was
-- made from: a confirm applies it only while that is still the current state.
ALTER TABLE runs ADD COLUMN plan_sealed bytea;
ALTER TABLE runs ADD COLUMN plan_state_serial bigint;
ALTER TABLE runs ADD COLUMN plan_state_lineage text;
-- The last outcome of posting the build status and the pull-request comment: { "buildStatus"?, "comment"?, "error"? }.
ALTER TABLE runs ADD COLUMN feedback jsonb;
-- A run that ended without a worker (an API cancel or discard of a waiting run) still owes Bitbucket its last
-- build status: any worker's sweep posts it and clears this.
ALTER TABLE runs ADD COLUMN feedback_due boolean NOT NULL DEFAULT false;
-- Bytes of log written so far (the next chunk's offset).
ALTER TABLE runs ADD COLUMN log_bytes bigint NOT NULL DEFAULT 0;

-- The stack lock (SPEC §7.1): at most one TRACKED run per stack is past QUEUED and has not ended. The claim checks it
-- first; this index makes it true whatever races happen between replicas and workers.
CREATE UNIQUE INDEX runs_stack_lock ON runs (stack_id)
  WHERE kind = 'TRACKED' AND state IN ('PREPARING', 'INITIALIZING', 'PLANNING', 'UNCONFIRMED', 'CONFIRMED', 'APPLYING');
-- The queue: runs waiting for a worker, oldest first.
CREATE INDEX runs_waiting ON runs (seq) WHERE worker_id IS NULL AND state IN ('QUEUED', 'CONFIRMED');
-- Leases the sweeper checks.
CREATE INDEX runs_leased ON runs (lease_expires_at) WHERE worker_id IS NOT NULL;

-- A run's log in the order written; a chunk starts at the byte offset the run's log had reached.
CREATE TABLE run_log_chunks (
  run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  start_offset bigint NOT NULL,
  content bytea NOT NULL,
  PRIMARY KEY (run_id, start_offset)
);

-- The one comment each stack keeps on a pull request (SPEC §7.6), edited in place with Bitbucket's version.
CREATE TABLE pull_request_comments (
  stack_id text NOT NULL REFERENCES stacks (id) ON DELETE CASCADE,
  project_key text NOT NULL,
  repository_slug text NOT NULL,
  pull_request_id bigint NOT NULL,
  comment_id bigint NOT NULL,
  version integer NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (stack_id, project_key, repository_slug, pull_request_id)
);
