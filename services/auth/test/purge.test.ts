import test from 'ava';
import { ManualClock } from '@gatehouse/service-kit';
import { postgresServer, testNeeding, tokenFromMail } from '@gatehouse/testkit';
import { purgeLockKey, purgeOnce } from '../src/housekeeping/purge.js';
import { insertPasswordlessUser } from '../src/users/users.js';
import { bearer, call, confirmedAccount, login, newAccount, startAuth, type Harness } from './helpers/harness.js';

// A second session holding an advisory lock needs a server; PGlite runs one connection.
const postgres = await postgresServer();
const withServer = testNeeding(postgres.url === undefined ? postgres.why : undefined);

// Security cases 60 and 70: what is past its use goes, and nothing still needed does.

const day = 86_400_000;
const count = async (h: Harness, sql: string, params: unknown[] = []) =>
  (await h.database.db.query(sql, params)).rows.length;

test('an account unconfirmed for 7 days → purged, releasing its username and address; everything else stays', async (t) => {
  const clock = new ManualClock(Date.now());
  const h = await startAuth(t, { clock });
  const stale = newAccount();
  await call(h.url, 'POST', '/v1/signup', stale);
  const confirmed = await confirmedAccount(h);
  await insertPasswordlessUser(h.database.db, 'github-only-user', clock.now());
  clock.advance(7 * day - 60_000);
  const recent = newAccount();
  await call(h.url, 'POST', '/v1/signup', recent);
  clock.advance(2 * 60_000);

  const counts = await purgeOnce(h.runtime.deps);
  t.like(counts, { unconfirmedUsers: 1 });
  const usernames = (
    await h.database.db.query<{ username: string }>('SELECT username FROM users ORDER BY username')
  ).rows.map((r) => r.username);
  t.deepEqual(usernames, [confirmed.username, 'github-only-user', recent.username].sort());
  await login(h, confirmed);

  // The username and the address are free again: a new signup gets a fresh confirmation mail.
  const again = await call(h.url, 'POST', '/v1/signup', { ...stale, password: 'someone else entirely now' });
  t.is(again.status, 202);
  await h.mail.waitFor(stale.email, /Confirm/, { nth: 1 });
  t.is(await count(h, 'SELECT 1 FROM users WHERE username = $1', [stale.username]), 1);
});

test('one-time tokens: expired and long-used ones purged; a live reset link still works after the purge', async (t) => {
  const clock = new ManualClock(Date.now());
  const h = await startAuth(t, { clock });
  const account = await confirmedAccount(h); // its confirmation token is now used
  clock.advance(2 * day);
  await call(h.url, 'POST', '/v1/password/forgot', { email: account.email });
  const live = tokenFromMail(await h.mail.waitFor(account.email, /Reset your password/));
  t.is(await count(h, 'SELECT 1 FROM one_time_tokens'), 2);

  const counts = await purgeOnce(h.runtime.deps);
  t.like(counts, { oneTimeTokens: 1 });
  t.is(await count(h, "SELECT 1 FROM one_time_tokens WHERE purpose = 'reset_password'"), 1);
  t.is(
    (await call(h.url, 'POST', '/v1/password/reset', { token: live, password: 'fresh passphrase here' })).status,
    204,
  );
});

test('revoked tokens: rows past exp purged; a token revoked a minute ago stays refused after the purge', async (t) => {
  const clock = new ManualClock(Date.now());
  const h = await startAuth(t, { clock });
  const account = await confirmedAccount(h);
  const old = await login(h, account);
  await call(h.url, 'POST', '/v1/logout', {}, bearer(old.access_token));
  clock.advance(h.config.ACCESS_TOKEN_TTL_SECONDS * 1000 + 1000);
  const fresh = await login(h, account);
  await call(h.url, 'POST', '/v1/logout', {}, bearer(fresh.access_token));
  t.is(await count(h, 'SELECT 1 FROM revoked_tokens'), 2);

  const counts = await purgeOnce(h.runtime.deps);
  t.like(counts, { revokedTokens: 1 });
  t.is(await count(h, 'SELECT 1 FROM revoked_tokens'), 1);
  t.is((await call(h.url, 'GET', '/v1/me', undefined, bearer(fresh.access_token))).status, 401);
});

test('throttle rows: a live lock and recent failures survive the purge; rows idle past every window go', async (t) => {
  const clock = new ManualClock(Date.now());
  const h = await startAuth(t, { clock });
  const account = await confirmedAccount(h);
  const wrong = { grant_type: 'password', username: 'somebody-else', password: 'wrong wrong wrong' };
  await call(h.url, 'POST', '/v1/token', wrong);
  clock.advance(16 * 60_000);
  for (let i = 0; i < 5; i++) {
    await call(h.url, 'POST', '/v1/token', { grant_type: 'password', username: account.username, password: 'nope' });
  }
  const before = await count(h, 'SELECT 1 FROM throttle');

  const counts = await purgeOnce(h.runtime.deps);
  // The stranger's per-client counter and its slowdown row are idle past every window; the address's is not.
  t.like(counts, { throttleRows: 2 });
  t.is(await count(h, 'SELECT 1 FROM throttle'), before - 2);
  t.is(await count(h, "SELECT 1 FROM throttle WHERE key LIKE '%somebody-else%'"), 0);
  const locked = await call(h.url, 'POST', '/v1/token', {
    grant_type: 'password',
    username: account.username,
    password: account.password,
  });
  // Still locked for this address, which says so only as a wrong password would.
  t.is(locked.status, 401);
  t.is(locked.body.code, 'invalid_credentials');
});

test('audit rows: older than AUDIT_RETENTION_DAYS purged, younger kept', async (t) => {
  const clock = new ManualClock(Date.now());
  const h = await startAuth(t, { clock, env: { AUDIT_RETENTION_DAYS: '30' } });
  await confirmedAccount(h);
  const old = await count(h, 'SELECT 1 FROM audit_events');
  clock.advance(30 * day + 1000);
  await confirmedAccount(h);
  const young = (await count(h, 'SELECT 1 FROM audit_events')) - old;

  const counts = await purgeOnce(h.runtime.deps);
  t.like(counts, { auditEvents: old });
  t.is(await count(h, 'SELECT 1 FROM audit_events'), young);
});

withServer('another replica holding the purge lock → this one skips its turn and deletes nothing', async (t) => {
  const clock = new ManualClock(Date.now());
  const h = await startAuth(t, { clock });
  await call(h.url, 'POST', '/v1/signup', newAccount());
  clock.advance(8 * day);
  const replica = await h.replica();
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const lockTaken = new Promise<void>((resolve) => (locked = resolve));
  const holder = h.database.db.transaction(async (tx) => {
    // The same lock the job takes, held by "another replica" mid-purge.
    t.true(
      (await tx.query<{ got: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS got', [purgeLockKey])).rows[0]!.got,
    );
    locked();
    await held;
  });
  await lockTaken;
  t.is(await purgeOnce(replica.runtime.deps), undefined);
  t.is(await count(h, 'SELECT 1 FROM users'), 1);
  release();
  await holder;
  t.like(await purgeOnce(replica.runtime.deps), { unconfirmedUsers: 1 });
});
