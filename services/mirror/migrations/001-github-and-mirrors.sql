-- OAuth attempts in flight: only hashes of the state and of the browser binding are kept.
CREATE TABLE oauth_states (
  state_hash text PRIMARY KEY,
  binding_hash text NOT NULL,
  purpose text NOT NULL CHECK (purpose IN ('signin', 'connect')),
  user_id text,
  code_verifier text NOT NULL,
  scope text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX oauth_states_created ON oauth_states (created_at);

-- One GitHub connection per Gatehouse user; the token is AES-256-GCM ciphertext under key_id.
CREATE TABLE github_connections (
  user_id text PRIMARY KEY,
  github_id bigint NOT NULL,
  login text NOT NULL,
  scope text NOT NULL,
  key_id text NOT NULL,
  token_iv bytea NOT NULL,
  token_ciphertext bytea NOT NULL,
  token_tag bytea NOT NULL,
  broken_at timestamptz,
  connected_at timestamptz NOT NULL
);

-- Every use of a stored token, shown to its owner.
CREATE TABLE github_token_uses (
  id bigserial PRIMARY KEY,
  user_id text NOT NULL,
  purpose text NOT NULL,
  endpoint text NOT NULL,
  status integer,
  request_id text,
  at timestamptz NOT NULL
);
CREATE INDEX github_token_uses_user ON github_token_uses (user_id, id DESC);

-- Grants still to revoke at GitHub after a disconnect GitHub did not answer.
CREATE TABLE github_revocations (
  id bigserial PRIMARY KEY,
  key_id text NOT NULL,
  token_iv bytea NOT NULL,
  token_ciphertext bytea NOT NULL,
  token_tag bytea NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE TABLE mirror_jobs (
  id uuid PRIMARY KEY,
  user_id text NOT NULL,
  repo_name text NOT NULL,
  private boolean NOT NULL,
  status text NOT NULL CHECK (status IN ('queued', 'running', 'waiting', 'succeeded', 'failed')),
  stage text NOT NULL CHECK (stage IN ('connect', 'create_repository', 'pack', 'push', 'verify')),
  percent integer NOT NULL DEFAULT 0,
  message text NOT NULL DEFAULT '',
  waiting_until timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  lease_owner text,
  lease_until timestamptz,
  repo_full_name text,
  repo_html_url text,
  repo_clone_url text,
  error_code text,
  error_message text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
-- One unfinished job per person, whichever replica accepted it.
CREATE UNIQUE INDEX mirror_jobs_one_active ON mirror_jobs (user_id) WHERE status IN ('queued', 'running', 'waiting');
CREATE INDEX mirror_jobs_user ON mirror_jobs (user_id, created_at DESC);
