-- When the password last changed, by any path that sets it: a reset link
-- issued before then no longer works (it would undo the owner's change).
ALTER TABLE users ADD COLUMN password_changed_at timestamptz;
