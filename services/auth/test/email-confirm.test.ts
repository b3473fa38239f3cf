import test from 'ava';
import { ManualClock } from '@gatehouse/service-kit';
import { call, login, newAccount, startAuth, type Harness } from './helpers/harness.js';
import { tokenFromMail } from '@gatehouse/testkit';

// Security cases 58 and 60: a link alone (a mail scanner) confirms nothing; a used link shows nothing.

async function signedUp(h: Harness) {
  const account = newAccount();
  const res = await call(h.url, 'POST', '/v1/signup', account);
  const token = tokenFromMail(await h.mail.waitFor(account.email, /Confirm/));
  return { account, token, binding: String(res.body.binding) };
}

const verifiedAt = async (h: Harness) =>
  (await h.database.db.query<{ email_verified_at: Date | null }>('SELECT email_verified_at FROM users')).rows[0]
    ?.email_verified_at;

test('confirm with the token and the password → 200 confirmed with the user, email_verified true', async (t) => {
  const h = await startAuth(t);
  const { account, token } = await signedUp(h);
  const res = await call(h.url, 'POST', '/v1/email/confirm', { token, password: account.password });
  t.is(res.status, 200);
  t.is(res.body.status, 'confirmed');
  const user = res.body.user as Record<string, unknown>;
  t.like(user, { username: account.username, email: account.email, email_verified: true });
  t.regex(String(user.id), /^[0-9a-f-]{36}$/);
  t.false('password_hash' in user);
});

test('confirm with the token and the binding signup returned → 200 confirmed, no password needed', async (t) => {
  const h = await startAuth(t);
  const { account, token, binding } = await signedUp(h);
  const res = await call(h.url, 'POST', '/v1/email/confirm', { token, binding });
  t.is(res.status, 200);
  t.like(res.body, { status: 'confirmed', user: { username: account.username, email_verified: true } });
});

test('confirm with the token alone (a mail scanner) → 403 confirmation_proof_required, account stays unconfirmed', async (t) => {
  const h = await startAuth(t);
  const { token } = await signedUp(h);
  for (let i = 0; i < 3; i++) {
    const res = await call(h.url, 'POST', '/v1/email/confirm', { token });
    t.is(res.status, 403);
    t.is(res.body.code, 'confirmation_proof_required');
    t.false('user' in res.body);
  }
  t.is(await verifiedAt(h), null);
});

test('confirm with another signup’s binding → 403 confirmation_proof_required, account stays unconfirmed', async (t) => {
  const h = await startAuth(t);
  const victim = await signedUp(h);
  const other = await signedUp(h);
  const res = await call(h.url, 'POST', '/v1/email/confirm', { token: victim.token, binding: other.binding });
  t.is(res.status, 403);
  t.is(res.body.code, 'confirmation_proof_required');
  const { rows } = await h.database.db.query('SELECT 1 FROM users WHERE email_verified_at IS NOT NULL');
  t.is(rows.length, 0);
});

test('the binding an already registered address gets → confirms nothing', async (t) => {
  const h = await startAuth(t);
  const { account, token } = await signedUp(h);
  const intruder = await call(h.url, 'POST', '/v1/signup', newAccount({ email: account.email }));
  const res = await call(h.url, 'POST', '/v1/email/confirm', { token, binding: String(intruder.body.binding) });
  t.is(res.status, 403);
  t.is(await verifiedAt(h), null);
});

test('confirm with a wrong password → 401 invalid_credentials, counted like a failed login (5 → 429)', async (t) => {
  const h = await startAuth(t);
  const { account, token } = await signedUp(h);
  for (let i = 0; i < 5; i++) {
    const res = await call(h.url, 'POST', '/v1/email/confirm', { token, password: 'not the password at all' });
    t.is(res.status, 401);
    t.is(res.body.code, 'invalid_credentials');
  }
  const locked = await call(h.url, 'POST', '/v1/email/confirm', { token, password: account.password });
  t.is(locked.status, 429);
  t.truthy(locked.headers.get('retry-after'));
  t.is(await verifiedAt(h), null);
});

test('a used link → 200 already_confirmed with no account data, even with the password', async (t) => {
  const h = await startAuth(t);
  const { account, token } = await signedUp(h);
  t.is((await call(h.url, 'POST', '/v1/email/confirm', { token, password: account.password })).status, 200);
  for (const body of [{ token }, { token, password: account.password }]) {
    const again = await call(h.url, 'POST', '/v1/email/confirm', body);
    t.is(again.status, 200);
    t.deepEqual(again.body, { status: 'already_confirmed' });
  }
  await login(h, account);
});

test('an older link after the address was confirmed with a newer one → already_confirmed, no data', async (t) => {
  const clock = new ManualClock(Date.now());
  const h = await startAuth(t, { clock });
  const { account, token: first } = await signedUp(h);
  clock.advance(61_000);
  await call(h.url, 'POST', '/v1/email/resend', { email: account.email });
  const second = tokenFromMail(await h.mail.waitFor(account.email, /Confirm/, { nth: 1 }));
  t.is((await call(h.url, 'POST', '/v1/email/confirm', { token: second, password: account.password })).status, 200);
  t.deepEqual((await call(h.url, 'POST', '/v1/email/confirm', { token: first })).body, {
    status: 'already_confirmed',
  });
});

test('the confirmation mail → says a link alone confirms nothing and when the account is deleted', async (t) => {
  const h = await startAuth(t);
  const account = newAccount();
  await call(h.url, 'POST', '/v1/signup', account);
  const mail = await h.mail.waitFor(account.email, /Confirm/);
  t.regex(mail.text, /browser you signed up with/);
  t.regex(mail.text, /asks for the password you chose/);
  t.regex(mail.text, /works once, for 24 hours/);
  t.regex(mail.text, /deleted after 7 days/);
  t.notRegex(mail.text, /no account will be activated/);
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
  const res = await call(h.url, 'POST', '/v1/email/confirm', { token, password: account.password });
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
  clock.advance(61_000);
  const res = await call(h.url, 'POST', '/v1/email/resend', { email: account.email.toUpperCase() });
  t.is(res.status, 202);
  await waitForCount(h.mail.find.bind(h.mail), account.email, 2);
  const second = h.mail.find(account.email, /Confirm/)[1]!;
  const confirm = { token: tokenFromMail(second), password: account.password };
  t.is((await call(h.url, 'POST', '/v1/email/confirm', confirm)).status, 200);
});

test('second resend within 60 s → 429 with Retry-After and no new mail; after 60 s → 202 again', async (t) => {
  const clock = new ManualClock(Date.now());
  const h = await startAuth(t, { clock });
  const account = newAccount();
  await call(h.url, 'POST', '/v1/signup', account);
  await h.mail.waitFor(account.email, /Confirm/);
  clock.advance(61_000);
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
