/**
 * e2e support: what a journey through the running stack needs, and no more.
 *
 * The suite runs against whatever stack it is given:
 *   E2E_BASE_URL  the front door (nginx), e.g. http://localhost:8080
 *   E2E_MAIL_URL  maildev (web UI + REST API), e.g. http://localhost:1080
 * `npm run test:e2e` starts a stack behind real nginx and sets both; in compose
 * the `tests` service sets them. A test file never starts anything itself.
 *
 *   baseUrl, mailUrl                      the two URLs, without a trailing slash
 *   url(path)                             absolute URL of a path on the front door
 *   api(path, { method, json, form, token, headers })
 *                                         one HTTP call through the front door →
 *                                         { status, headers, body } (JSON parsed when JSON)
 *   uniqueUser(prefix?)                   { username, email, password }, new on every call
 *   waitForMail({ to, subject?, timeoutMs? })
 *                                         the newest mail to `to` (polls maildev) →
 *                                         { id, subject, to, text, html, links }
 *   linkFromMail(mail, pathname)          the mail's link to `pathname`, moved onto baseUrl
 *                                         (mails carry PUBLIC_URL, which may differ)
 *   chromiumMissing                       why the browser cannot run here, or undefined:
 *                                         pass it to testNeeding() from @gatehouse/testkit
 *   launchBrowser()                       headless Chromium (Debian's; E2E_CHROMIUM moves it);
 *                                         close it in t.teardown
 *   screenshot(page, name)                saves test-results/e2e/<name>.png, returns the path
 */
import { accessSync, constants, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

function required(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: run the suite with \`npm run test:e2e\` (it starts a stack) or set it`);
  return value.replace(/\/+$/, '');
}

export const baseUrl = required('E2E_BASE_URL');
export const mailUrl = required('E2E_MAIL_URL');

export function url(path: string): string {
  return new URL(path, `${baseUrl}/`).toString();
}

export interface ApiOptions {
  method?: string;
  /** Sent as application/json. */
  json?: unknown;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  headers?: Record<string, string>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON for JSON and problem+json answers, else the text. */
  body: unknown;
}

export async function api(path: string, options: ApiOptions = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  }
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(url(path), {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  const isJson = /json/.test(response.headers.get('content-type') ?? '');
  return {
    status: response.status,
    headers: response.headers,
    body: isJson && text ? (JSON.parse(text) as unknown) : text,
  };
}

export function uniqueUser(prefix = 'e2e'): { username: string; email: string; password: string } {
  const id = `${prefix}${randomBytes(5).toString('hex')}`;
  return { username: id, email: `${id}@example.test`, password: `pass phrase ${randomBytes(6).toString('hex')}` };
}

export interface Mail {
  id: string;
  subject: string;
  to: string[];
  text: string;
  html: string;
  /** Every http(s) link in the text part, in order. */
  links: string[];
}

interface MaildevMail {
  id: string;
  subject?: string;
  to?: { address: string }[];
  text?: string;
  html?: string;
  time?: string;
}

export async function waitForMail(options: { to: string; subject?: RegExp; timeoutMs?: number }): Promise<Mail> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  const to = options.to.toLowerCase();
  for (;;) {
    const response = await fetch(`${mailUrl}/api/email`, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`maildev answered ${response.status} at ${mailUrl}/api/email`);
    const mails = ((await response.json()) as MaildevMail[])
      .filter((m) => (m.to ?? []).some((r) => r.address.toLowerCase() === to))
      .filter((m) => !options.subject || options.subject.test(m.subject ?? ''));
    const newest = mails.at(-1);
    if (newest) {
      const text = newest.text ?? '';
      return {
        id: newest.id,
        subject: newest.subject ?? '',
        to: (newest.to ?? []).map((r) => r.address),
        text,
        html: newest.html ?? '',
        links: [...text.matchAll(/https?:\/\/[^\s<>"')\]]+/g)].map((m) => m[0]),
      };
    }
    if (Date.now() > deadline)
      throw new Error(
        `no mail to ${options.to}${options.subject ? ` matching ${options.subject}` : ''} arrived in time`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function linkFromMail(mail: Mail, pathname: string): string {
  const link = mail.links.map((l) => new URL(l)).find((l) => l.pathname === pathname);
  if (!link) throw new Error(`the mail "${mail.subject}" has no link to ${pathname}; links: ${mail.links.join(', ')}`);
  return url(`${link.pathname}${link.search}`);
}

const chromiumPath = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';

export const chromiumMissing: string | undefined = (() => {
  try {
    accessSync(chromiumPath, constants.X_OK);
    return undefined;
  } catch {
    return `no Chromium at ${chromiumPath} (apt-get install chromium, or set E2E_CHROMIUM)`;
  }
})();

const browserHostRules = process.env.E2E_BROWSER_HOST_RULES;

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Chromium sends every *.localhost name to its own loopback, whatever DNS says. In
      // the compose test profile the stand-in's host is nginx's network alias, so the
      // browser needs the same mapping that alias gives every other client there.
      ...(browserHostRules ? [`--host-resolver-rules=${browserHostRules}`] : []),
    ],
  });
}

const screenshots = fileURLToPath(new URL('../../test-results/e2e/', import.meta.url));

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshots, { recursive: true });
  const path = join(screenshots, `${name.replace(/[^A-Za-z0-9._-]+/g, '-')}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
