-- SPEC §9: VCS agent pools. An integration whose apiHost is private://<name> is reached through the agents that
-- connect with the pool's token. The token is shown once; only its SHA-256 is kept. Names are unique without regard
-- to case, as private://Pool and private://pool name the same pool.
CREATE TABLE vcs_agent_pools (
  id text PRIMARY KEY,
  name text NOT NULL,
  space_id text NOT NULL REFERENCES spaces (id) ON DELETE RESTRICT,
  description text NOT NULL DEFAULT '',
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_activity_at timestamptz
);
CREATE UNIQUE INDEX vcs_agent_pools_by_name ON vcs_agent_pools (lower(name));
