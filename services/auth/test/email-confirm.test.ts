import test from 'ava';
import { ManualClock } from '@gatehouse/service-kit';
import { call, newAccount, startAuth } from './helpers/harness.js';
import { tokenFromMail } from '@gatehouse/testkit';

test('confirm with the mailed token → 200 with the user, email_verified true', async (t) => {
  const h = await startAuth(t);
  const account = newAccount();
  await call(h.url, 'POST', '/v1/signup', account);
  const token = tokenFromMail(await h.mail.waitFor(account.email, /Confirm/));
  const res = await call(h.url, 'POST', '/v1/email/confirm', { token });
  t.is(res.status, 200);
  const user = res.body.user as Record<string, unknown>;
  t.like(user, { username: account.username, email: account.email, email_verified: true });
  t.regex(String(user.id), /^[0-9a-f-]{36}$/);
  t.false('password_hash' in user);
});

test('confirm the same link twice (mail scanner first) → 200 both times', async (t) => {
  const h = await startAuth(t);
  const account = newAccount();
  await call(h.url, 'POST', '/v1/signup', account);
  const token = tokenFromMail(await h.mail.waitFor(account.email, /Confirm/));
  t.is((await call(h.url, 'POST', '/v1/email/confirm', { token })).status, 200);
  const again = await call(h.url, 'POST', '/v1/email/confirm', { token });
  t.is(again.status, 200);
  t.like(again.body.user, { email_verified: true });
});

test('confirm with an unknown token → 400 invalid_or_expired_token', async (t) => {
  const h = await startAuth(t);
  const res = await call(h.url, 'POST', '/v1/email/confirm', { token: 'A'.repeat(43) });
  t.is(res.status, 400);
  t.is(res.body.code, 'invalid_or_expired_token');
});

test('confirm after the link expired → 400 invalid_or_expired_token, account stays unconfirmed', async (t) => {
  const clock = new ManualClock(Date.now());
  const h = await startAuth(t, { clock });
  const account = newAccount();
  await call(h.url, 'POST', '/v1/signup', account);
  const token = tokenFromMail(await h.mail.waitFor(account.email, /Confirm/));
  clock.advance(h.config.CONFIRM_TOKEN_TTL_SECONDS * 1000 + 1000);
  const res = await call(h.url, 'POST', '/v1/email/confirm', { token });
  t.is(res.status, 400);
  t.is(res.body.code, 'invalid_or_expired_token');
  const { rows } = await h.database.db.query('SELECT email_verified_at FROM users');
  t.is(rows[0]?.email_verified_at, null);
});

test('confirm without a token → 400 validation_failed on token', async (t) => {
  const h = await startAuth(t);
  const res = await call(h.url, 'POST', '/v1/email/confirm', {});
  t.is(res.status, 400);
  t.like((res.body.errors as unknown[])[0], { field: 'token', code: 'token_required' });
});

test('resend for an unconfirmed address → 202 and a new working link', async (t) => {
  const clock = new ManualClock(Date.now());
  const h = await startAuth(t, { clock });
  const account = newAccount();
  await call(h.url, 'POST', '/v1/signup', account);
  await h.mail.waitFor(account.email, /Confirm/);
  const res = await call(h.url, 'POST', '/v1/email/resend', { email: account.email.toUpperCase() });
  t.is(res.status, 202);
  await waitForCount(h.mail.find.bind(h.mail), account.email, 2);
  const second = h.mail.find(account.email, /Confirm/)[1]!;
  t.is((await call(h.url, 'POST', '/v1/email/confirm', { token: tokenFromMail(second) })).status, 200);
});

test('second resend within 60 s → 429 with Retry-After and no new mail; after 60 s → 202 again', async (t) => {
  const clock = new ManualClock(Date.now());
  const h = await startAuth(t, { clock });
  const account = newAccount();
  await call(h.url, 'POST', '/v1/signup', account);
  await h.mail.waitFor(account.email, /Confirm/);
  t.is((await call(h.url, 'POST', '/v1/email/resend', { email: account.email })).status, 202);
  const limited = await call(h.url, 'POST', '/v1/email/resend', { email: account.email });
  t.is(limited.status, 429);
  t.is(limited.body.code, 'too_many_requests');
  t.is(limited.headers.get('retry-after'), '60');
  await waitForCount(h.mail.find.bind(h.mail), account.email, 2);
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.is(h.mail.find(account.email, /Confirm/).length, 2);
  clock.advance(61_000);
  t.is((await call(h.url, 'POST', '/v1/email/resend', { email: account.email })).status, 202);
});

test('resend for an unknown address → the same 202, and the same 429 on a second try', async (t) => {
  const h = await startAuth(t);
  const first = await call(h.url, 'POST', '/v1/email/resend', { email: 'nobody@example.com' });
  t.is(first.status, 202);
  t.is((await call(h.url, 'POST', '/v1/email/resend', { email: 'nobody@example.com' })).status, 429);
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.is(h.mail.messages.length, 0);
});

async function waitForCount(find: (to: string, s: RegExp) => unknown[], to: string, n: number) {
  const deadline = Date.now() + 5000;
  while (find(to, /Confirm/).length < n) {
    if (Date.now() > deadline) throw new Error(`expected ${n} mails to ${to}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
