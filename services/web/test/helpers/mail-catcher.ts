import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  to: string;
  subject: string;
  text: string;
}

/** A real SMTP server on a free port, keeping every message auth sends. */
export class MailCatcher {
  readonly messages: CaughtMail[] = [];
  #server: SMTPServer;
  #wake: (() => void)[] = [];
  port = 0;

  constructor() {
    this.#server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, _session, callback) => {
        simpleParser(stream).then((parsed) => {
          const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
          this.messages.push({ to: to?.value[0]?.address ?? '', subject: parsed.subject ?? '', text: parsed.text ?? '' });
          for (const wake of this.#wake.splice(0)) wake();
          callback();
        }, callback);
      },
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  find(to: string, subject: RegExp): CaughtMail[] {
    return this.messages.filter((m) => m.to.toLowerCase() === to.toLowerCase() && subject.test(m.subject));
  }

  /** The `nth` (0-based) message to `to` matching `subject`, waiting up to `timeoutMs`. */
  async waitFor(to: string, subject: RegExp, { nth = 0, timeoutMs = 10_000 } = {}): Promise<CaughtMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.find(to, subject)[nth];
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no mail #${nth} to ${to} matching ${subject} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** The link in a mail, e.g. the confirmation or reset link, as a URL. */
export function linkFromMail(mail: CaughtMail, path: string): URL {
  const match = new RegExp(`https?://\\S+${path.replace(/[/-]/g, '\\$&')}\\?token=[A-Za-z0-9_-]+`).exec(mail.text);
  if (!match) throw new Error(`no ${path} link in mail "${mail.subject}"`);
  return new URL(match[0]);
}
