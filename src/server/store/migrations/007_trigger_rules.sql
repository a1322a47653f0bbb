-- Triggering after Spacelift's rules (SPEC §1): a push starts a run only when it touched the stack's project root, and
-- a run made without knowing that (a new branch, a failed or slow look-up of the changed files) says so; a newer
-- proposed run of a branch cancels the older ones, with the reason.

-- What the run was made without knowing, or NULL.
ALTER TABLE runs ADD COLUMN trigger_note text;
-- One clear sentence when a run is CANCELED (or FAILED). IF NOT EXISTS: the run lifecycle adds the same column.
ALTER TABLE runs ADD COLUMN IF NOT EXISTS failure text;

-- Superseding finds a stack's proposed runs of a branch that have not ended.
CREATE INDEX runs_proposed_by_branch ON runs (stack_id, branch) WHERE kind = 'PROPOSED';
