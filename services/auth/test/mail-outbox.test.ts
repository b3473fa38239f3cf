import test from 'ava';
import nodemailer from 'nodemailer';
import { ManualClock } from '@gatehouse/service-kit';
import { MailWorker } from '../src/mail/mail-worker.js';
import { call, newAccount, startAuth } from './helpers/harness.js';
import { MailCatcher, tokenFromMail } from '@gatehouse/testkit';

async function freePort(): Promise<number> {
  const probe = await new MailCatcher().start();
  const { port } = probe;
  await probe.close();
  return port;
}

test('SMTP down at signup → 202, the mail waits in the outbox, and exactly one arrives once SMTP is back', async (t) => {
  const port = await freePort();
  const clock = new ManualClock(Date.now());
  const h = await startAuth(t, { clock, env: { SMTP_URL: `smtp://127.0.0.1:${port}` } });
  const account = newAccount();
  t.is((await call(h.url, 'POST', '/v1/signup', account)).status, 202);
  const worker = h.runtime.mailWorker!;
  await worker.stop();
  // A failed attempt has been recorded with a backoff.
  for (let i = 0; i < 50; i++) {
    const { rows } = await h.database.db.query<{ attempts: number }>('SELECT attempts FROM mail_outbox');
    if (rows[0]?.attempts) break;
    await worker.runOnce();
  }
  const { rows } = await h.database.db.query<{ attempts: number; sent_at: Date | null; last_error: string }>(
    'SELECT attempts, sent_at, last_error FROM mail_outbox',
  );
  t.is(rows.length, 1);
  t.is(rows[0]!.sent_at, null);
  t.regex(rows[0]!.last_error, /ECONNREFUSED/);

  const smtp = await new MailCatcher().start(port);
  t.teardown(() => smtp.close());
  t.is(await worker.runOnce(), 0, 'not due yet: the backoff holds');
  clock.advance(60_000);
  t.is(await worker.runOnce(), 1);
  clock.advance(60 * 60_000);
  t.is(await worker.runOnce(), 0);
  const mail = await smtp.waitFor(account.email, /Confirm/);
  t.is(smtp.messages.length, 1);
  const confirm = { token: tokenFromMail(mail), password: account.password };
  t.is((await call(h.url, 'POST', '/v1/email/confirm', confirm)).status, 200);
});

test('worker killed mid-send → its claim expires and another worker delivers the mail once', async (t) => {
  const clock = new ManualClock(Date.now());
  const h = await startAuth(t, { clock, env: { MAIL_WORKER: 'false' } });
  const account = newAccount();
  await call(h.url, 'POST', '/v1/signup', account);
  // A worker whose SMTP never answers: it claims the mail and then is "killed".
  const hanging = nodemailer.createTransport({ streamTransport: true });
  hanging.sendMail = () => new Promise(() => {});
  const doomed = new MailWorker({
    db: h.database.db,
    transport: hanging,
    from: 'x@gatehouse.test',
    messageIdDomain: 'gatehouse.test',
    clock,
    logger: h.logs.logger,
  });
  void doomed.runOnce();
  await waitUntil(
    async () =>
      (await h.database.db.query('SELECT 1 FROM mail_outbox WHERE claimed_until IS NOT NULL')).rows.length === 1,
  );

  const survivor = new MailWorker({
    db: h.database.db,
    transport: nodemailer.createTransport(h.config.SMTP_URL),
    from: 'x@gatehouse.test',
    messageIdDomain: 'gatehouse.test',
    clock,
    logger: h.logs.logger,
  });
  t.is(await survivor.runOnce(), 0, 'claimed by the other worker');
  clock.advance(61_000);
  t.is(await survivor.runOnce(), 1);
  await h.mail.waitFor(account.email, /Confirm/);
  t.is(h.mail.messages.length, 1);
});

test('every mail → a plain-text part and an HTML part with the same link', async (t) => {
  const h = await startAuth(t);
  const account = newAccount();
  await call(h.url, 'POST', '/v1/signup', account);
  const mail = await h.mail.waitFor(account.email, /Confirm/);
  const token = tokenFromMail(mail);
  t.true(mail.html.includes(token));
  t.true(mail.text.includes(token));
});

test('the first mail of two fresh installs → different Message-IDs, both under PUBLIC_URL’s host', async (t) => {
  const ids: string[] = [];
  for (const host of ['gatehouse.test', 'auth.example.org']) {
    const h = await startAuth(t, { env: { PUBLIC_URL: `https://${host}:8443/base` } });
    const account = newAccount();
    await call(h.url, 'POST', '/v1/signup', account);
    const id = (await h.mail.waitFor(account.email, /Confirm/)).messageId ?? '';
    t.regex(id, new RegExp(`^<[0-9a-f-]{36}@${host.replaceAll('.', '\\.')}>$`));
    ids.push(id.split('@')[0]!);
  }
  t.not(ids[0], ids[1]);
});

test('a mail sent again after a crash → the same Message-ID as the first attempt', async (t) => {
  const clock = new ManualClock(Date.now());
  const h = await startAuth(t, { clock, env: { MAIL_WORKER: 'false' } });
  const account = newAccount();
  await call(h.url, 'POST', '/v1/signup', account);
  const worker = () =>
    new MailWorker({
      db: h.database.db,
      transport: nodemailer.createTransport(h.config.SMTP_URL),
      from: 'x@gatehouse.test',
      messageIdDomain: 'gatehouse.test',
      clock,
      logger: h.logs.logger,
    });
  t.is(await worker().runOnce(), 1);
  // The crash: the mail went out but was never marked sent.
  await h.database.db.query('UPDATE mail_outbox SET sent_at = NULL, claimed_until = NULL');
  t.is(await worker().runOnce(), 1);
  await h.mail.waitFor(account.email, /Confirm/, { nth: 1 });
  const [first, second] = h.mail.find(account.email, /Confirm/);
  t.is(first!.messageId, second!.messageId);
});

test('a username with markup in a mail → escaped in the HTML part', async (t) => {
  const { confirmationMail } = await import('../src/mail/templates.js');
  const mail = confirmationMail('a@example.com', '<b>ann</b>', 'https://x.test/confirm-email?token=a&b', {
    hours: 24,
    keepDays: 7,
  });
  t.false(mail.html.includes('<b>ann</b>'));
  t.true(mail.html.includes('&lt;b&gt;ann&lt;/b&gt;'));
  t.true(mail.html.includes('token=a&amp;b'));
});

async function waitUntil(check: () => Promise<boolean>) {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('condition not reached');
}
