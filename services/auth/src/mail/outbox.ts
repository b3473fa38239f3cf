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
