-- Each mail's Message-ID: random, so it repeats neither across installs nor
-- after a database reset (receivers drop a repeated id as a duplicate), yet
-- stable for the row, so a resend after a crash is still seen as one message.
ALTER TABLE mail_outbox ADD COLUMN message_key uuid NOT NULL DEFAULT gen_random_uuid();

-- What the purge job scans by age.
CREATE INDEX one_time_tokens_expiry ON one_time_tokens (expires_at);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX throttle_updated ON throttle (updated_at);
