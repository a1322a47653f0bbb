-- The module registry (SPEC §10): modules in a space, backed by a repository; versions from its semver tags.
CREATE TABLE modules (
  id text PRIMARY KEY,
  name text NOT NULL,
  terraform_provider text NOT NULL,
  space_id text NOT NULL REFERENCES spaces (id) ON DELETE RESTRICT,
  -- NULL means "the default integration"; detached modules also have NULL here and detached = true.
  integration_id text REFERENCES integrations (id) ON DELETE RESTRICT,
  detached boolean NOT NULL DEFAULT false,
  project_key text NOT NULL,
  repository_slug text NOT NULL,
  branch text NOT NULL,
  project_root text NOT NULL DEFAULT '',
  labels text[] NOT NULL DEFAULT '{}',
  description text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- The registry address is <space>/<name>/<provider>: one module per address.
  CONSTRAINT modules_address UNIQUE (space_id, name, terraform_provider)
);

CREATE INDEX modules_by_integration ON modules (integration_id);
CREATE INDEX modules_by_repository ON modules (lower(project_key), lower(repository_slug));

-- One row per version: ACTIVE (published), FAILED (the tagged commit is not a module; reason says why) or
-- RETRACTED (its tag was deleted; a new tag of the same version publishes it again).
CREATE TABLE module_versions (
  module_id text NOT NULL REFERENCES modules (id) ON DELETE CASCADE,
  version text NOT NULL,
  tag text NOT NULL,
  commit_id text NOT NULL,
  state text NOT NULL CHECK (state IN ('ACTIVE', 'FAILED', 'RETRACTED')),
  reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (module_id, version)
);
