-- Core control-plane objects: spaces, API keys and their role bindings, Bitbucket DC integrations, stacks.
-- Even-numbered migrations (002, 004, ...) belong to the webhook receiver (deliveries, runs).

-- Store-wide values, e.g. the check that the encryption key matches the one the store was written with.
CREATE TABLE settings (
  name text PRIMARY KEY,
  value text NOT NULL
);

CREATE TABLE spaces (
  id text PRIMARY KEY,
  name text NOT NULL,
  -- NULL only for root; ON DELETE RESTRICT because only empty spaces may be deleted.
  parent_space_id text REFERENCES spaces (id) ON DELETE RESTRICT,
  inherit_entities boolean NOT NULL DEFAULT false,
  description text NOT NULL DEFAULT '',
  labels text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((id = 'root') = (parent_space_id IS NULL))
);

INSERT INTO spaces (id, name, description) VALUES ('root', 'root', 'The root of the space tree.');

CREATE TABLE api_keys (
  id text PRIMARY KEY,
  name text NOT NULL,
  -- SHA-256 of the secret; secrets are 256 random bits, so a fast hash is not guessable.
  secret_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE role_bindings (
  api_key_id text NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
  space_id text NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('read', 'write', 'admin')),
  PRIMARY KEY (api_key_id, space_id)
);

CREATE TABLE integrations (
  -- Slug of the name; the webhook URL is derived from it, so a re-created integration keeps its URL.
  id text PRIMARY KEY,
  name text NOT NULL,
  provider text NOT NULL DEFAULT 'bitbucket-datacenter',
  is_default boolean NOT NULL,
  space_id text NOT NULL REFERENCES spaces (id) ON DELETE RESTRICT,
  api_host text NOT NULL,
  user_facing_host text,
  username text NOT NULL,
  -- AES-256-GCM ciphertext of the access token (see secrets.ts); the plaintext is never stored.
  access_token_encrypted text NOT NULL,
  webhook_secret text NOT NULL,
  labels text[] NOT NULL DEFAULT '{}',
  description text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (NOT is_default OR space_id = 'root')
);

-- At most one default integration per VCS provider.
CREATE UNIQUE INDEX integrations_one_default_per_provider ON integrations (provider) WHERE is_default;

CREATE TABLE stacks (
  id text PRIMARY KEY,
  name text NOT NULL,
  space_id text NOT NULL REFERENCES spaces (id) ON DELETE RESTRICT,
  -- NULL means "the default integration"; detached stacks also have NULL here and detached = true.
  integration_id text REFERENCES integrations (id) ON DELETE RESTRICT,
  detached boolean NOT NULL DEFAULT false,
  project_key text NOT NULL,
  repository_slug text NOT NULL,
  branch text NOT NULL,
  project_root text NOT NULL DEFAULT '',
  autodeploy boolean NOT NULL DEFAULT false,
  labels text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX stacks_by_integration ON stacks (integration_id);
CREATE INDEX stacks_by_space ON stacks (space_id);
-- The webhook receiver finds the stacks of a repository by (project, repository).
CREATE INDEX stacks_by_repository ON stacks (lower(project_key), lower(repository_slug));
CREATE INDEX spaces_by_parent ON spaces (parent_space_id);
CREATE INDEX integrations_by_space ON integrations (space_id);
