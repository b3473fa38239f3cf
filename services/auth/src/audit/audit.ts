import type { Clock, Logger } from '@gatehouse/service-kit';
import type { Queryable } from '@gatehouse/db';

export type AuditEvent =
  | 'signup'
  | 'signup_existing_email'
  | 'email_confirmed'
  | 'email_confirm_refused'
  | 'login_succeeded'
  | 'login_failed'
  | 'login_locked'
  | 'token_refreshed'
  | 'refresh_reuse_detected'
  | 'logout'
  | 'logout_global'
  | 'password_changed'
  | 'password_reset_requested'
  | 'password_reset'
  | 'github_signup'
  | 'github_signup_refused'
  | 'github_linked';

export interface AuditEntry {
  userId?: string | null | undefined;
  ip?: string | undefined;
  /** Facts only: never a password, token or hash. */
  details?: Record<string, unknown>;
}

export type Audit = (q: Queryable, event: AuditEvent, entry: AuditEntry) => Promise<void>;

/** Writes an auth event to the audit table (inside the caller's transaction when given one) and to the log. */
export function createAudit(logger: Logger, clock: Clock): Audit {
  return async (q, event, entry) => {
    await q.query('INSERT INTO audit_events (at, event, user_id, ip, details) VALUES ($1, $2, $3, $4, $5)', [
      clock.now(),
      event,
      entry.userId ?? null,
      entry.ip ?? null,
      JSON.stringify(entry.details ?? {}),
    ]);
    logger.info({ audit: event, user_id: entry.userId ?? null, ip: entry.ip, ...entry.details }, 'audit');
  };
}

/** Drops audit rows older than the retention period. */
export async function deleteAuditEventsBefore(q: Queryable, before: Date): Promise<number> {
  const { rowCount } = await q.query('DELETE FROM audit_events WHERE at < $1', [before]);
  return rowCount;
}
