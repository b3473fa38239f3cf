import type { Transporter } from 'nodemailer';
import type { Database } from '@gatehouse/db';
import type { Clock, Logger } from '@gatehouse/service-kit';
import { claimDueMail, markMailFailed, markMailSent, type OutboxRow } from './outbox.js';

export interface MailWorkerOptions {
  db: Database;
  transport: Transporter;
  from: string;
  /** The domain of every Message-ID: PUBLIC_URL's host. */
  messageIdDomain: string;
  clock: Clock;
  logger: Logger;
  pollMs?: number;
  /** A claimed mail not marked sent by then is tried again: a killed worker loses nothing. */
  claimMs?: number;
}

const maxBackoffMs = 15 * 60_000;

/**
 * Delivers the outbox. Rows are claimed with SKIP LOCKED, so any number of
 * replicas can run a worker without sending a mail twice, and a claim
 * expires, so a worker killed mid-send leaves the mail for the next one.
 */
export class MailWorker {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;
  #stopped = true;
  #again = false;
  constructor(private readonly options: MailWorkerOptions) {}

  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Deliver soon: a mail was just queued. */
  notify(): void {
    if (this.#stopped) return;
    if (this.#running) this.#again = true;
    else this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** One pass over the due mail; resolves to how many were sent. */
  async runOnce(): Promise<number> {
    const { db, clock, claimMs = 60_000 } = this.options;
    const now = clock.now();
    const rows = await claimDueMail(db, now, new Date(now.getTime() + claimMs));
    let sent = 0;
    for (const row of rows) {
      if (await this.#deliver(row)) sent++;
    }
    return sent;
  }

  async #deliver(row: OutboxRow): Promise<boolean> {
    const { db, transport, from, messageIdDomain, clock, logger } = this.options;
    try {
      await transport.sendMail({
        from,
        to: row.to_address,
        subject: row.subject,
        text: row.text_body,
        html: row.html_body,
        // Random, so unique across installs and database resets, yet stable per outbox row:
        // if a crash after sending makes us send again, clients see one message.
        messageId: `<${row.message_key}@${messageIdDomain}>`,
      });
      await markMailSent(db, row.id, clock.now());
      logger.info({ outbox_id: row.id, attempts: row.attempts }, 'mail sent');
      return true;
    } catch (err) {
      const backoff = Math.min(maxBackoffMs, 5000 * 2 ** (row.attempts - 1));
      const jittered = backoff / 2 + Math.random() * (backoff / 2);
      const message = (err as Error).message.slice(0, 500);
      await markMailFailed(db, row.id, new Date(clock.now().getTime() + jittered), message).catch(() => {});
      logger.warn({ outbox_id: row.id, attempts: row.attempts, err: message }, 'mail delivery failed; will retry');
      return false;
    }
  }

  #schedule(ms: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#tick(), ms);
    this.#timer.unref();
  }

  #tick(): void {
    if (this.#stopped) return;
    this.#running = this.runOnce()
      .catch((err: unknown) => {
        this.options.logger.warn({ err: (err as Error).message }, 'mail worker pass failed');
        return 0;
      })
      .finally(() => {
        this.#running = undefined;
        if (this.#stopped) return;
        const again = this.#again;
        this.#again = false;
        this.#schedule(again ? 0 : (this.options.pollMs ?? 1000));
      });
  }
}
