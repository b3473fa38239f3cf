-- The revocation feed: every revocation as an ordered event, read by verifiers
-- in other services by sequence number. Rows are appended under a lock, so
-- sequence order is commit order and a reader never skips an uncommitted row.
-- kind 'jti' and 'session' name one token or one login session; 'user' refuses
-- every token of subject issued before `before` (epoch seconds). `exp` (epoch
-- seconds) is when the last token an event covers expires; the row can go then.
CREATE TABLE revocation_events (
  seq bigserial PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('jti', 'session', 'user')),
  subject text NOT NULL,
  before bigint,
  exp bigint NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX revocation_events_exp ON revocation_events (exp);
