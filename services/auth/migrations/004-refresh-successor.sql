-- The random half of a rotated refresh token's successor (see tokens/refresh-tokens.ts):
-- with the presented token and a server key it derives the same successor again,
-- so a replay inside the grace window gets the first answer instead of a fork.
ALTER TABLE refresh_tokens ADD COLUMN successor_salt text;
