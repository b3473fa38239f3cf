-- Browser sessions of the web service. `id` is an HMAC of the session id and
-- `data` is sealed with a key derived from it, so this table alone reveals nothing.
CREATE TABLE web_sessions (
  id text PRIMARY KEY,
  data text NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX web_sessions_expires_at ON web_sessions (expires_at);
