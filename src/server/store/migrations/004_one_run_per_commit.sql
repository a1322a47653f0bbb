-- The webhook receiver after an adversarial review: one run per (stack, kind, commit), and a delivery log that a
-- flood of refused requests cannot grow without bound.

-- SPEC §1: an event whose run already exists (same stack, kind and commit, not CANCELED or DISCARDED) creates
-- nothing new. `dedupe_commit` is the commit of a run made by a Bitbucket event; manual runs leave it NULL (a person
-- asking for a run gets one). The unique index lets one of two replicas that receive the same event at the same
-- moment insert the run; the other's insert does nothing.
ALTER TABLE runs ADD COLUMN dedupe_commit text;

-- Runs recorded before this rule may already repeat a (stack, kind, commit): the oldest of each such group takes
-- the key, the others stay as they are (nothing is deleted).
UPDATE runs SET dedupe_commit = commit_sha
WHERE id IN (
  SELECT DISTINCT ON (stack_id, kind, commit_sha) id
  FROM runs
  WHERE trigger <> 'manual' AND commit_sha IS NOT NULL AND state NOT IN ('CANCELED', 'DISCARDED')
  ORDER BY stack_id, kind, commit_sha, seq
);

CREATE UNIQUE INDEX runs_one_per_commit ON runs (stack_id, kind, dedupe_commit)
  WHERE dedupe_commit IS NOT NULL AND state NOT IN ('CANCELED', 'DISCARDED');
CREATE INDEX runs_by_commit ON runs (stack_id, kind, commit_sha);

-- Refused deliveries are recorded one by one up to a per-integration rate; beyond it one entry per integration and
-- minute counts the rest (`summary`, `repeats`, `last_received_at`).
ALTER TABLE deliveries ADD COLUMN summary boolean NOT NULL DEFAULT false;
ALTER TABLE deliveries ADD COLUMN repeats integer NOT NULL DEFAULT 1;
ALTER TABLE deliveries ADD COLUMN last_received_at timestamptz;
CREATE INDEX deliveries_rejected_recently ON deliveries (integration_id, received_at) WHERE outcome = 'REJECTED';

-- The retention sweep deletes entries by age.
CREATE INDEX deliveries_by_age ON deliveries (received_at);

-- Runs are made only for full commit ids (40 hex digits, lower case); the API and the receiver check this first, and
-- the store refuses anything else. NOT VALID: rows written before the rule are kept as they are.
ALTER TABLE runs ADD CONSTRAINT runs_commit_is_full_id CHECK (commit_sha ~ '^[0-9a-f]{40}$') NOT VALID;
