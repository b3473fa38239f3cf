-- Signing up hands the browser (or API client) a secret; only its SHA-256 is
-- kept here. Presenting it with a confirmation link proves the confirmer is
-- whoever chose the password, which a mail scanner holding the link is not.
ALTER TABLE users ADD COLUMN signup_binding_hash text;

-- Unconfirmed accounts are purged after UNCONFIRMED_ACCOUNT_TTL_SECONDS.
CREATE INDEX users_unconfirmed ON users (created_at) WHERE email_verified_at IS NULL;
