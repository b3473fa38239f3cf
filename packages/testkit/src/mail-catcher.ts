import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string | undefined;
}

/** A real SMTP server on a free port that keeps every message it receives. */
export class MailCatcher {
  readonly messages: CaughtMail[] = [];
  #server: SMTPServer;
  #waiters: (() => void)[] = [];
  port = 0;

  constructor() {
    this.#server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, _session, callback) => {
        simpleParser(stream).then((parsed: ParsedMail) => {
          const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
          this.messages.push({
            to: to?.value[0]?.address ?? '',
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            messageId: parsed.messageId,
          });
          for (const wake of this.#waiters.splice(0)) wake();
          callback();
        }, callback);
      },
    });
  }

  /** Listens on `port` (0: any free one); a fixed port lets a test bring SMTP "back up". */
  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(port, '127.0.0.1', resolve));
    this.port = (this.#server.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  find(to: string, subject: RegExp): CaughtMail[] {
    return this.messages.filter((m) => m.to.toLowerCase() === to.toLowerCase() && subject.test(m.subject));
  }

  /**
   * The `nth` (0-based) message to `to` matching `subject`, waiting for it up to `timeoutMs`. The wait ends
   * as soon as the mail arrives; the generous bound is for a 2-core CI machine running many suites at once.
   */
  async waitFor(to: string, subject: RegExp, { nth = 0, timeoutMs = 60_000 } = {}): Promise<CaughtMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.find(to, subject)[nth];
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no mail #${nth} to ${to} matching ${subject} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
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

/** The token of the first link in a mail's text part. */
export function tokenFromMail(mail: CaughtMail): string {
  const match = /[?&]token=([A-Za-z0-9_-]+)/.exec(mail.text);
  if (!match) throw new Error(`no token link in mail "${mail.subject}"`);
  return match[1]!;
}

/** The link to `path` in a mail (the confirmation or reset link), as a URL. */
export function linkFromMail(mail: CaughtMail, path: string): URL {
  const match = new RegExp(`https?://\\S+${path.replace(/[/-]/g, '\\$&')}\\?token=[A-Za-z0-9_-]+`).exec(mail.text);
  if (!match) throw new Error(`no ${path} link in mail "${mail.subject}"`);
  return new URL(match[0]);
}
