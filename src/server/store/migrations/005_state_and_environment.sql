-- What runs need from the control plane besides their code (SPEC §7.4, §7.5): each stack's Terraform state with its
-- lock and every version written, runs' one-off credentials for that state, and stacks' environment variables.

-- false: the stack keeps its state elsewhere (its own backend); the control plane then serves no state for it.
ALTER TABLE stacks ADD COLUMN manage_state boolean NOT NULL DEFAULT true;

-- One row per stack whose state was ever written or locked: the lock lives here (GitLab keeps it on the state too).
CREATE TABLE terraform_states (
  stack_id text PRIMARY KEY REFERENCES stacks (id) ON DELETE CASCADE,
  -- Terraform's lock ID (a UUID it makes), and the LockInfo it sent with Who and Created set by the control plane.
  lock_id text,
  lock_info jsonb,
  locked_at timestamptz,
  -- The holder: a run's credentials ('run', the run) or an API key ('api-key', its id). A lock held by a run that
  -- ended is stale: that run can never release it, and it counts as no lock.
  locked_by_kind text CHECK (locked_by_kind IN ('run', 'api-key')),
  locked_by_run uuid REFERENCES runs (id) ON DELETE SET NULL,
  locked_by_api_key text,
  CHECK ((lock_id IS NULL) = (locked_at IS NULL) AND (lock_id IS NULL) = (locked_by_kind IS NULL))
);

CREATE INDEX terraform_states_locked_by_run ON terraform_states (locked_by_run) WHERE locked_by_run IS NOT NULL;

-- Every accepted write, numbered by the state's serial within its lineage; the newest is the current state. The
-- content is the exact bytes Terraform sent, sealed with AES-256-GCM like access tokens.
CREATE TABLE terraform_state_versions (
  id uuid PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  stack_id text NOT NULL REFERENCES terraform_states (stack_id) ON DELETE CASCADE,
  serial bigint NOT NULL CHECK (serial >= 0),
  lineage text NOT NULL,
  terraform_version text,
  -- Base64 MD5 of the content, as Content-MD5 carries it.
  md5 text NOT NULL,
  size_bytes integer NOT NULL,
  content_sealed bytea NOT NULL,
  created_by_kind text NOT NULL CHECK (created_by_kind IN ('run', 'api-key')),
  created_by_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX terraform_state_versions_by_stack ON terraform_state_versions (stack_id, seq DESC);

-- A run's one-off credentials for its stack's state (Basic password), minted when a worker claims the run and
-- valid only while the run has not ended. One per run: minting again replaces them.
CREATE TABLE run_state_credentials (
  run_id uuid PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
  -- SHA-256 of the secret; secrets are 256 random bits, so a fast hash is not guessable.
  secret_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE stack_environment_variables (
  stack_id text NOT NULL REFERENCES stacks (id) ON DELETE CASCADE,
  name text NOT NULL,
  secret boolean NOT NULL,
  -- The value of a plain variable; a secret one keeps only value_sealed (AES-256-GCM, bound to stack and name).
  value text,
  value_sealed text,
  -- UTF-8 length of the value, so a stack's total size is checked without unsealing anything.
  value_bytes integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (stack_id, name),
  CHECK (CASE WHEN secret THEN value IS NULL AND value_sealed IS NOT NULL ELSE value IS NOT NULL AND value_sealed IS NULL END)
);
