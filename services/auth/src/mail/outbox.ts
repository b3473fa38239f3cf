import type { Queryable } from '@gatehouse/db';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Queues a mail in the caller's transaction: it exists exactly when the change that caused it does. */
export async function enqueueMail(q: Queryable, message: MailMessage, now: Date): Promise<void> {
  await q.query(
    `INSERT INTO mail_outbox (to_address, subject, text_body, html_body, created_at, next_attempt_at)
     VALUES ($1, $2, $3, $4, $5, $5)`,
    [message.to, message.subject, message.text, message.html, now],
  );
}

export interface OutboxRow {
  id: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  attempts: number;
  /** Random per row: the local part of its Message-ID. */
  message_key: string;
}

/** Claims up to 20 due mails until `claimUntil`; SKIP LOCKED lets replicas claim side by side without overlap. */
export async function claimDueMail(q: Queryable, now: Date, claimUntil: Date): Promise<OutboxRow[]> {
  const { rows } = await q.query<OutboxRow>(
    `UPDATE mail_outbox SET claimed_until = $2, attempts = attempts + 1
     WHERE id IN (
       SELECT id FROM mail_outbox
       WHERE sent_at IS NULL AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1)
       ORDER BY id LIMIT 20 FOR UPDATE SKIP LOCKED)
     RETURNING id, to_address, subject, text_body, html_body, attempts, message_key`,
    [now, claimUntil],
  );
  return rows;
}

/** The bodies hold working links (confirm, reset); once delivered, the database need not keep them. */
export async function markMailSent(q: Queryable, id: string, now: Date): Promise<void> {
  await q.query(
    "UPDATE mail_outbox SET sent_at = $2, claimed_until = NULL, last_error = NULL, text_body = '', html_body = '' WHERE id = $1",
    [id, now],
  );
}

export async function markMailFailed(q: Queryable, id: string, retryAt: Date, error: string): Promise<void> {
  await q.query('UPDATE mail_outbox SET next_attempt_at = $2, claimed_until = NULL, last_error = $3 WHERE id = $1', [
    id,
    retryAt,
    error,
  ]);
}
