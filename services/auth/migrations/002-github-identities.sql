-- Sign in with GitHub. An account created from GitHub has neither an email
-- (until the person adds and confirms one) nor a password.
ALTER TABLE users ALTER COLUMN email DROP NOT NULL, ALTER COLUMN password_hash DROP NOT NULL;

-- Which GitHub account signs in to which Gatehouse account. Keyed by GitHub's
-- numeric id: the login can be renamed and then taken by someone else.
CREATE TABLE github_identities (
  github_id bigint PRIMARY KEY,
  user_id uuid NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
  login text NOT NULL,
  linked_at timestamptz NOT NULL
);
