import test, { type ExecutionContext } from 'ava';
import { ManualClock } from '@gatehouse/service-kit';
import {
  bearer,
  call,
  confirmedAccount,
  login,
  refresh,
  startAuth,
  type Account,
  type Harness,
  type HarnessOptions,
} from './helpers/harness.js';
import { redisServer, testNeeding, tokenFromMail } from '@gatehouse/testkit';

const redisSource = await redisServer();
/** The plain test for the Postgres store; for the Redis store, one that needs a Redis server. */
const storeTest = (redis: boolean) => testNeeding(redis && redisSource.url === undefined ? redisSource.why : undefined);

// Security cases 2, 3, 14, 18, 20, 21, 22: forgot/reset, change, long and exotic passphrases.

async function setup(t: ExecutionContext, options: HarnessOptions = {}, account: Partial<Account> = {}) {
  const clock = new ManualClock();
  const h = await startAuth(t, { ...options, clock });
  return { h, clock, account: await confirmedAccount(h, account) };
}

const newPassword = 'a brand new passphrase, never used';
const forgot = (h: Harness, email: string) => call(h.url, 'POST', '/v1/password/forgot', { email });
const reset = (h: Harness, token: string, password = newPassword) =>
  call(h.url, 'POST', '/v1/password/reset', { token, password });
const tokenGrant = (h: Harness, username: string, password: string) =>
  call(h.url, 'POST', '/v1/token', { grant_type: 'password', username, password });
const me = (h: Harness, access: string) => call(h.url, 'GET', '/v1/me', undefined, bearer(access));
const change = (h: Harness, access: string, body: Record<string, unknown>) =>
  call(h.url, 'POST', '/v1/password/change', body, bearer(access));

async function resetToken(h: Harness, email: string): Promise<string> {
  const res = await forgot(h, email);
  if (res.status !== 202) throw new Error(`forgot: ${res.status} ${JSON.stringify(res.body)}`);
  const mails = await mailCount(h, email, /Reset your password/, h.mail.find(email, /Reset your password/).length + 1);
  return tokenFromMail(mails.at(-1)!);
}

/** Waits until `n` matching mails arrived, and returns them. */
async function mailCount(h: Harness, to: string, subject: RegExp, n: number) {
  const deadline = Date.now() + 10_000;
  while (h.mail.find(to, subject).length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  return h.mail.find(to, subject);
}

async function resetMailsQueued(h: Harness, to: string): Promise<number> {
  const { rows } = await h.database.db.query(
    "SELECT id FROM mail_outbox WHERE lower(to_address) = lower($1) AND subject LIKE 'Reset%'",
    [to],
  );
  return rows.length;
}

test('forgot for a registered email → 202 and a reset mail (text and HTML) linking to PUBLIC_URL/reset-password', async (t) => {
  const { h, account } = await setup(t);
  const res = await call(
    h.url,
    'POST',
    '/v1/password/forgot',
    { email: account.email },
    { host: 'evil.example', 'x-forwarded-host': 'evil.example' },
  );
  t.is(res.status, 202);
  t.deepEqual(res.body, { status: 'reset_sent_if_registered' });
  const mail = await h.mail.waitFor(account.email, /Reset your password/);
  t.regex(mail.text, /https:\/\/gatehouse\.test\/reset-password\?token=[A-Za-z0-9_-]{43}\b/);
  t.regex(mail.html, /href="https:\/\/gatehouse\.test\/reset-password\?token=[A-Za-z0-9_-]{43}"/);
  t.false(mail.text.includes('evil.example') || mail.html.includes('evil.example'));
});

test('forgot for an unknown email → the same 202 body, and no mail', async (t) => {
  const { h, account } = await setup(t);
  const unknown = await forgot(h, 'nobody@example.com');
  const known = await forgot(h, account.email);
  t.is(unknown.status, 202);
  t.deepEqual(unknown.body, known.body);
  await h.mail.waitFor(account.email, /Reset your password/); // the worker has run since both requests
  t.is(await resetMailsQueued(h, 'nobody@example.com'), 0);
  t.deepEqual(h.mail.find('nobody@example.com', /./), []);
});

for (const registered of [true, false]) {
  test(`second forgot within 60 s (${registered ? 'registered' : 'unknown'} address, any case) → 429 with Retry-After, no new mail; after 60 s → allowed again`, async (t) => {
    const { h, clock, account } = await setup(t);
    const email = registered ? account.email : 'nobody@example.com';
    t.is((await forgot(h, email)).status, 202);
    clock.advance(59_000);
    for (const variant of [email, email.toUpperCase()]) {
      const again = await forgot(h, variant);
      t.is(again.status, 429);
      t.is(again.body.code, 'too_many_requests');
      t.is(again.headers.get('retry-after'), '1');
    }
    t.is(await resetMailsQueued(h, email), registered ? 1 : 0);
    clock.advance(1000);
    t.is((await forgot(h, email)).status, 202);
    t.is(await resetMailsQueued(h, email), registered ? 2 : 0);
    if (registered) t.is((await mailCount(h, email, /Reset your password/, 2)).length, 2);
  });
}

for (const redis of [false, true]) {
  storeTest(redis)(
    `reset (${redis ? 'Redis' : 'Postgres'} revocation store) → 204 without tokens; old password 401, new 200; every earlier access and refresh token dead; notice mail`,
    async (t) => {
      const { h, account } = await setup(t, { redis });
      const before = [await login(h, account), await login(h, { username: account.email, password: account.password })];
      for (const session of before) t.is((await me(h, session.access_token)).status, 200);
      if (redis) await redisFilled(t, h);
      const token = await resetToken(h, account.email);
      const res = await reset(h, token);
      t.is(res.status, 204);
      t.deepEqual(res.body, {});
      t.is(res.headers.get('set-cookie'), null);
      t.is((await tokenGrant(h, account.username, account.password)).status, 401);
      t.is((await tokenGrant(h, account.username, newPassword)).status, 200);
      for (const session of before) {
        const access = await me(h, session.access_token);
        t.is(access.status, 401, 'access token from before the reset');
        t.is(access.body.code, 'invalid_token');
        const renewed = await refresh(h, session.refresh_token);
        t.is(renewed.status, 401, 'refresh token from before the reset');
        t.is(renewed.body.code, 'invalid_refresh_token');
      }
      const notice = await h.mail.waitFor(account.email, /Your password was changed/);
      t.regex(notice.text, /password .* was just changed/);
    },
  );
}

/** Waits until the Redis revocation cache is complete, so lookups are answered from Redis, not Postgres. */
async function redisFilled(t: ExecutionContext, h: Harness) {
  const marker = `${h.redis!.prefix}revocations:complete`;
  const deadline = Date.now() + 5000;
  while (!(await h.redis!.client.exists(marker)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.is(await h.redis!.client.exists(marker), 1, 'Redis revocation cache filled');
}

test('reset token → works once; the second use → 400 invalid_or_expired_token', async (t) => {
  const { h, account } = await setup(t);
  const token = await resetToken(h, account.email);
  t.is((await reset(h, token)).status, 204);
  const again = await reset(h, token, 'yet another new passphrase');
  t.is(again.status, 400);
  t.is(again.body.code, 'invalid_or_expired_token');
  t.is((await tokenGrant(h, account.username, newPassword)).status, 200);
});

test('reset token past RESET_TOKEN_TTL_SECONDS → 400 invalid_or_expired_token; a younger one still works', async (t) => {
  const { h, clock, account } = await setup(t);
  const old = await resetToken(h, account.email);
  clock.advance(60_000);
  const young = await resetToken(h, account.email);
  clock.advance((h.config.RESET_TOKEN_TTL_SECONDS - 60 + 1) * 1000); // the old one is 1 s past its TTL, the young one 59 s short
  const expired = await reset(h, old);
  t.is(expired.status, 400);
  t.is(expired.body.code, 'invalid_or_expired_token');
  t.is((await reset(h, young)).status, 204);
});

const weak: [string, string][] = [
  ['password1', 'password_common'],
  ['short', 'password_too_short'],
];
for (const [password, code] of weak) {
  test(`reset with a weak password (${code}) → 400 validation_failed, and the token still works afterwards`, async (t) => {
    const { h, account } = await setup(t);
    const token = await resetToken(h, account.email);
    const res = await reset(h, token, password);
    t.is(res.status, 400);
    t.is(res.body.code, 'validation_failed');
    t.like((res.body.errors as unknown[])[0], { field: 'password', code });
    t.is((await tokenGrant(h, account.username, account.password)).status, 200);
    t.is((await reset(h, token)).status, 204);
  });
}

test('reset token → stored only as a hash: once its mail is sent, the token is nowhere in the database', async (t) => {
  const { h, account } = await setup(t);
  const token = await resetToken(h, account.email);
  const { rows } = await h.database.db.query<{ token_hash: string }>(
    "SELECT token_hash FROM one_time_tokens WHERE purpose = 'reset_password'",
  );
  t.is(rows.length, 1);
  t.not(rows[0]!.token_hash, token);
  await allMailMarkedSent(h);
  t.false((await databaseText(h)).includes(token), 'the reset token (a live credential) is stored in clear');
});

async function allMailMarkedSent(h: Harness) {
  const deadline = Date.now() + 5000;
  const pending = async () =>
    (await h.database.db.query('SELECT id FROM mail_outbox WHERE sent_at IS NULL')).rows.length;
  while ((await pending()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

/** Every row of every table, as text. */
async function databaseText(h: Harness): Promise<string> {
  const { db } = h.database;
  const tables = await db.query<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
  );
  const parts: string[] = [];
  for (const { name } of tables.rows) {
    const { rows } = await db.query<{ row: string }>(`SELECT t::text AS row FROM "${name}" t`);
    parts.push(...rows.map((r) => r.row));
  }
  return parts.join('\n');
}

test('password change without current_password → 400 validation_failed on current_password', async (t) => {
  const { h, account } = await setup(t);
  const res = await change(h, (await login(h, account)).access_token, { new_password: newPassword });
  t.is(res.status, 400);
  t.is(res.body.code, 'validation_failed');
  t.like((res.body.errors as unknown[])[0], { field: 'current_password' });
  t.is((await tokenGrant(h, account.username, account.password)).status, 200);
});

test('password change with a wrong current password → 401 invalid_credentials, nothing changed', async (t) => {
  const { h, account } = await setup(t);
  const res = await change(h, (await login(h, account)).access_token, {
    current_password: 'not my password',
    new_password: newPassword,
  });
  t.is(res.status, 401);
  t.is(res.body.code, 'invalid_credentials');
  t.is((await tokenGrant(h, account.username, newPassword)).status, 401);
});

test('password change to a weak password → 400 validation_failed on new_password', async (t) => {
  const { h, account } = await setup(t);
  const res = await change(h, (await login(h, account)).access_token, {
    current_password: account.password,
    new_password: '12345678',
  });
  t.is(res.status, 400);
  t.is(res.body.code, 'validation_failed');
  t.like((res.body.errors as unknown[])[0], { field: 'new_password', code: 'password_common' });
});

for (const redis of [false, true]) {
  storeTest(redis)(
    `password change (${redis ? 'Redis' : 'Postgres'} revocation store) → 204; other sessions dead, the caller's kept; notice mail; new password logs in`,
    async (t) => {
      const { h, account } = await setup(t, { redis });
      const mine = await login(h, account);
      const other = await login(h, account);
      t.is((await me(h, other.access_token)).status, 200);
      if (redis) await redisFilled(t, h);
      t.is(
        (await change(h, mine.access_token, { current_password: account.password, new_password: newPassword })).status,
        204,
      );
      t.is((await me(h, other.access_token)).status, 401);
      t.is((await refresh(h, other.refresh_token)).body.code, 'invalid_refresh_token');
      t.is((await me(h, mine.access_token)).status, 200);
      t.is((await refresh(h, mine.refresh_token)).status, 200);
      await h.mail.waitFor(account.email, /Your password was changed/);
      t.is((await tokenGrant(h, account.username, account.password)).status, 401);
      t.is((await tokenGrant(h, account.username, newPassword)).status, 200);
    },
  );
}

test('passphrases over 72 bytes sharing the first 80 → only the one set logs in', async (t) => {
  const prefix = 'correct horse battery staple, '.repeat(3).slice(0, 80);
  const { h, account } = await setup(t, {}, { password: `${prefix}tail number one` });
  t.is(Buffer.byteLength(prefix), 80);
  t.is((await tokenGrant(h, account.username, `${prefix}tail number two`)).status, 401);
  t.is((await tokenGrant(h, account.username, prefix)).status, 401);
  t.is((await tokenGrant(h, account.username, `${prefix}tail number one`)).status, 200);
});

test('64-character passphrase with spaces, emoji and ü → logs in byte-exact; NFD, trimmed or upper-cased variants → 401', async (t) => {
  const passphrase = ' grüße aus münchen 🔑 mit leerzeichen, emoji 🙂 und umlauten: ü!  ';
  t.is([...passphrase].length, 64);
  t.is(passphrase, passphrase.normalize('NFC'));
  const { h, account } = await setup(t, {}, { password: passphrase });
  const variants = [passphrase.normalize('NFD'), passphrase.trim(), passphrase.toUpperCase()];
  for (const variant of variants) {
    t.not(variant, passphrase);
    t.is((await tokenGrant(h, account.username, variant)).status, 401);
  }
  t.is((await tokenGrant(h, account.username, passphrase)).status, 200);
});
