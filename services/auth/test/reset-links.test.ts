import test from 'ava';
import { ManualClock } from '@gatehouse/service-kit';
import { tokenFromMail } from '@gatehouse/testkit';
import { findUserByEmail, setPassword } from '../src/users/users.js';
import { bearer, call, confirmedAccount, login, startAuth, type Harness } from './helpers/harness.js';

// Security case 64: any password change kills outstanding reset links, and a new link retires the older ones.

async function resetLink(h: Harness, clock: ManualClock, email: string): Promise<string> {
  const before = h.mail.find(email, /Reset your password/).length;
  const res = await call(h.url, 'POST', '/v1/password/forgot', { email });
  if (res.status !== 202) throw new Error(`forgot: ${res.status}`);
  clock.advance(61_000);
  return tokenFromMail(await h.mail.waitFor(email, /Reset your password/, { nth: before }));
}

const reset = (h: Harness, token: string, password: string) =>
  call(h.url, 'POST', '/v1/password/reset', { token, password });

test('reset link asked for before a password change → 400 invalid_or_expired_token after it', async (t) => {
  const clock = new ManualClock(Date.now());
  const h = await startAuth(t, { clock });
  const account = await confirmedAccount(h);
  const stale = await resetLink(h, clock, account.email);
  const tokens = await login(h, account);
  const changed = await call(
    h.url,
    'POST',
    '/v1/password/change',
    { current_password: account.password, new_password: 'the owner fixed it properly' },
    bearer(tokens.access_token),
  );
  t.is(changed.status, 204);
  const res = await reset(h, stale, 'the attacker wants this one');
  t.is(res.status, 400);
  t.is(res.body.code, 'invalid_or_expired_token');
  await login(h, { username: account.username, password: 'the owner fixed it properly' });
});

test('two reset links → only the newest sets a password', async (t) => {
  const clock = new ManualClock(Date.now());
  const h = await startAuth(t, { clock });
  const account = await confirmedAccount(h);
  const first = await resetLink(h, clock, account.email);
  const second = await resetLink(h, clock, account.email);
  // The newest link works; the older one had already been retired by it.
  t.is((await reset(h, first, 'an older link must not work')).status, 400);
  t.is((await reset(h, second, 'the newest link sets this one')).status, 204);
  await login(h, { username: account.username, password: 'the newest link sets this one' });
});

test('a new reset link → the older unused one is refused at once', async (t) => {
  const clock = new ManualClock(Date.now());
  const h = await startAuth(t, { clock });
  const account = await confirmedAccount(h);
  const first = await resetLink(h, clock, account.email);
  await resetLink(h, clock, account.email);
  const res = await reset(h, first, 'an older link must not work');
  t.is(res.status, 400);
  t.is(res.body.code, 'invalid_or_expired_token');
  await login(h, account);
});

test('reset link asked for before a password set by any other path (an admin tool) → refused after it', async (t) => {
  const clock = new ManualClock(Date.now());
  const h = await startAuth(t, { clock });
  const account = await confirmedAccount(h);
  const stale = await resetLink(h, clock, account.email);
  const user = (await findUserByEmail(h.database.db, account.email))!;
  const hash = await h.runtime.deps.passwords.hash('set by the administrator');
  await setPassword(h.database.db, user.id, hash, clock.now());
  const res = await reset(h, stale, 'the attacker wants this one');
  t.is(res.status, 400);
  t.is(res.body.code, 'invalid_or_expired_token');
  await login(h, { username: account.username, password: 'set by the administrator' });
});
