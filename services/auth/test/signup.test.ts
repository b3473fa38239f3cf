import test from 'ava';
import { call, confirmedAccount, newAccount, startAuth } from './helpers/harness.js';
import { tokenFromMail } from '@gatehouse/testkit';

test('signup → 202 confirmation_sent and a mail with a text and an HTML part linking to PUBLIC_URL', async (t) => {
  const h = await startAuth(t);
  const account = newAccount();
  const res = await call(h.url, 'POST', '/v1/signup', account, {
    host: 'evil.example',
    'x-forwarded-host': 'evil.example',
  });
  t.is(res.status, 202);
  t.like(res.body, { status: 'confirmation_sent', binding_expires_in: 7 * 24 * 3600 });
  t.regex(String(res.body.binding), /^[A-Za-z0-9_-]{43}$/);
  const mail = await h.mail.waitFor(account.email, /Confirm your email/);
  t.regex(mail.text, /https:\/\/gatehouse\.test\/confirm-email\?token=[A-Za-z0-9_-]{43}/);
  t.regex(mail.html, /href="https:\/\/gatehouse\.test\/confirm-email\?token=/);
  t.false(mail.text.includes('evil.example'));
});

test('confirmation token → stored only as a hash', async (t) => {
  const h = await startAuth(t);
  const account = newAccount();
  await call(h.url, 'POST', '/v1/signup', account);
  const token = tokenFromMail(await h.mail.waitFor(account.email, /Confirm/));
  const { rows } = await h.database.db.query<{ token_hash: string }>('SELECT token_hash FROM one_time_tokens');
  t.is(rows.length, 1);
  t.not(rows[0]!.token_hash, token);
  t.false(JSON.stringify(rows).includes(token));
});

test('signup with a registered email (any case) → same 202, owner mailed a notice, no second account', async (t) => {
  const h = await startAuth(t);
  const owner = await confirmedAccount(h);
  const intruder = newAccount({ email: owner.email.toUpperCase() });
  const res = await call(h.url, 'POST', '/v1/signup', intruder);
  t.is(res.status, 202);
  t.deepEqual(Object.keys(res.body).sort(), ['binding', 'binding_expires_in', 'status']);
  t.like(res.body, { status: 'confirmation_sent', binding_expires_in: 7 * 24 * 3600 });
  t.regex(String(res.body.binding), /^[A-Za-z0-9_-]{43}$/);
  const notice = await h.mail.waitFor(owner.email, /Someone tried to sign up/);
  t.regex(notice.text, /already have one/);
  const { rows } = await h.database.db.query('SELECT id FROM users');
  t.is(rows.length, 1);
});

test('signup with a taken username in another case → 409 username_taken', async (t) => {
  const h = await startAuth(t);
  const first = newAccount();
  await call(h.url, 'POST', '/v1/signup', first);
  const res = await call(h.url, 'POST', '/v1/signup', newAccount({ username: first.username.toUpperCase() }));
  t.is(res.status, 409);
  t.is(res.body.code, 'username_taken');
});

const fieldCases: [string, Record<string, unknown>, string, string][] = [
  ['7-character password', { password: 'abc1234' }, 'password', 'password_too_short'],
  ['common password', { password: 'password1' }, 'password', 'password_common'],
  [
    'password containing the username',
    { username: 'marguerite', password: 'Marguerite-2026!' },
    'password',
    'password_contains_identity',
  ],
  [
    'password containing the email name',
    { email: 'zanzibar@example.com', password: 'my zanzibar secret' },
    'password',
    'password_contains_identity',
  ],
  ['email with CRLF', { email: 'a@example.com\r\nBcc: victim@example.com' }, 'email', 'email_invalid'],
  ['email over 254 characters', { email: `${'a'.repeat(64)}@${'b'.repeat(186)}.com` }, 'email', 'email_invalid'],
  ['malformed email', { email: 'not-an-email' }, 'email', 'email_invalid'],
  ['username with markup', { username: '<script>' }, 'username', 'username_invalid'],
  ['username with SQL', { username: "x'; DROP TABLE users;--" }, 'username', 'username_invalid'],
  ['missing username', { username: undefined }, 'username', 'username_required'],
  ['email_verified smuggled in', { email_verified: true }, 'email_verified', 'unknown_field'],
  ['role smuggled in', { role: 'admin' }, 'role', 'unknown_field'],
];

for (const [name, change, field, code] of fieldCases) {
  test(`signup with ${name} → 400 validation_failed, ${field}: ${code}, nothing stored`, async (t) => {
    const h = await startAuth(t);
    const res = await call(h.url, 'POST', '/v1/signup', { ...newAccount(), ...change });
    t.is(res.status, 400);
    t.is(res.body.code, 'validation_failed');
    t.like((res.body.errors as unknown[])[0], { field, code });
    const { rows } = await h.database.db.query('SELECT id FROM users');
    t.is(rows.length, 0);
  });
}

test('signup with 8-character password → accepted', async (t) => {
  const h = await startAuth(t);
  t.is((await call(h.url, 'POST', '/v1/signup', newAccount({ password: 'kq8#vLz2' }))).status, 202);
});

test('signup with a repeated field → 400 duplicate_field', async (t) => {
  const h = await startAuth(t);
  const a = newAccount();
  const res = await call(
    h.url,
    'POST',
    '/v1/signup',
    `{"username":"${a.username}","email":"${a.email}","password":"${a.password}","email":"x@example.com"}`,
  );
  t.is(res.status, 400);
  t.is(res.body.code, 'duplicate_field');
});

test('signup with __proto__ → 400 forbidden_field', async (t) => {
  const h = await startAuth(t);
  const a = newAccount();
  const res = await call(
    h.url,
    'POST',
    '/v1/signup',
    `{"username":"${a.username}","email":"${a.email}","password":"${a.password}","__proto__":{"email_verified":true}}`,
  );
  t.is(res.status, 400);
  t.is(res.body.code, 'forbidden_field');
});

test('signup with malformed JSON → 400 malformed_json', async (t) => {
  const h = await startAuth(t);
  const res = await call(h.url, 'POST', '/v1/signup', '{"username": "ann",');
  t.is(res.status, 400);
  t.is(res.body.code, 'malformed_json');
});

test('signup with a 1 MB password → 413 before any hashing', async (t) => {
  const h = await startAuth(t);
  const res = await call(h.url, 'POST', '/v1/signup', newAccount({ password: 'x'.repeat(1_000_000) }));
  t.is(res.status, 413);
  t.is(res.body.code, 'payload_too_large');
});

test('stored hash → bcrypt of cost ≥ 4 here (config), unique salt per user', async (t) => {
  const h = await startAuth(t);
  await call(h.url, 'POST', '/v1/signup', newAccount({ password: 'same passphrase for both' }));
  await call(h.url, 'POST', '/v1/signup', newAccount({ password: 'same passphrase for both' }));
  const { rows } = await h.database.db.query<{ password_hash: string }>('SELECT password_hash FROM users');
  t.is(rows.length, 2);
  for (const row of rows) t.regex(row.password_hash, /^\$2[aby]\$04\$/);
  t.not(rows[0]!.password_hash, rows[1]!.password_hash);
});

test('default bcrypt cost → 12', async (t) => {
  const { authConfigSchema } = await import('../src/index.js');
  t.is(authConfigSchema.parse({ PASSWORD_PEPPER: 'p'.repeat(32), SERVICE_SECRET: 's'.repeat(32) }).BCRYPT_COST, 12);
});
