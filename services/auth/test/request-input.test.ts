// What a request must look like before auth acts on it: JSON bodies (a form
// only at /v1/token, and never from a browser on another site), text without
// control characters, and a client address only from a trusted proxy.
import test from 'ava';
import { call, confirmedAccount, newAccount, startAuth, type Reply } from './helpers/harness.js';

async function postForm(
  base: string,
  path: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
) {
  return call(base, 'POST', path, new URLSearchParams(fields).toString(), {
    'content-type': 'application/x-www-form-urlencoded',
    ...headers,
  });
}

test('form-encoded signup, resend, forgot, confirm and reset → 415 unsupported_media_type; no mail sent', async (t) => {
  const h = await startAuth(t);
  const account = newAccount();
  const attempts: [string, Record<string, string>][] = [
    ['/v1/signup', { ...account }],
    ['/v1/email/resend', { email: account.email }],
    ['/v1/password/forgot', { email: account.email }],
    ['/v1/email/confirm', { token: 'x'.repeat(43) }],
    ['/v1/password/reset', { token: 'x'.repeat(43), password: account.password }],
  ];
  for (const [path, fields] of attempts) {
    const res = await postForm(h.url, path, fields);
    t.is(res.status, 415, path);
    t.is(res.body.code, 'unsupported_media_type', path);
  }
  const { rows } = await h.database.db.query('SELECT 1 FROM users');
  t.is(rows.length, 0, 'the form signup created nobody');
  t.is((await call(h.url, 'POST', '/v1/signup', account)).status, 202, 'the same signup as JSON is accepted');
});

test('form-encoded password grant at /v1/token → 200, as OAuth clients send it', async (t) => {
  const h = await startAuth(t);
  const account = await confirmedAccount(h);
  const res = await postForm(h.url, '/v1/token', {
    grant_type: 'password',
    username: account.username,
    password: account.password,
  });
  t.is(res.status, 200);
  t.is(typeof res.body.access_token, 'string');
});

test('/v1/token with Sec-Fetch-Site: cross-site or a foreign Origin → 403 cross_site_request, no login', async (t) => {
  const h = await startAuth(t);
  const account = await confirmedAccount(h);
  const grant = { grant_type: 'password', username: account.username, password: account.password };
  const refusals: Reply[] = [
    await postForm(h.url, '/v1/token', grant, { 'sec-fetch-site': 'cross-site' }),
    await postForm(h.url, '/v1/token', grant, { origin: 'https://evil.example' }),
    await call(h.url, 'POST', '/v1/token', grant, { origin: 'https://evil.example' }),
  ];
  for (const res of refusals) {
    t.is(res.status, 403);
    t.is(res.body.code, 'cross_site_request');
    t.is(res.body.access_token, undefined);
  }
  // PUBLIC_URL's own origin is not foreign.
  t.is((await call(h.url, 'POST', '/v1/token', grant, { origin: 'https://gatehouse.test' })).status, 200);
});

test('NUL byte in the login identifier → 400 naming the field, not a 500', async (t) => {
  const h = await startAuth(t);
  const res = await call(h.url, 'POST', '/v1/token', {
    grant_type: 'password',
    username: 'ann\u0000',
    password: 'a long passphrase for tests',
  });
  t.is(res.status, 400);
  t.is(res.body.code, 'validation_failed');
  t.like((res.body.errors as unknown[])[0], { field: 'username', code: 'username_invalid' });
  t.false(h.logs.text().includes('request failed'), 'nothing was logged as a failure');
});

test('control character or lone surrogate in signup and forgot fields → 400, nothing stored', async (t) => {
  const h = await startAuth(t);
  const account = newAccount();
  for (const body of [
    { ...account, email: `${account.email}\u0000` },
    { ...account, username: `${account.username}\u001f` },
    { ...account, password: 'a long passphrase\u0000for tests' },
    { ...account, password: 'a long passphrase \ud83d for tests' },
  ]) {
    t.is((await call(h.url, 'POST', '/v1/signup', body)).status, 400, JSON.stringify(body));
  }
  t.is((await call(h.url, 'POST', '/v1/password/forgot', { email: 'ann\u2028@example.com\u0000' })).status, 400);
  const { rows } = await h.database.db.query('SELECT 1 FROM users');
  t.is(rows.length, 0);
});

test('TRUSTED_PROXIES without this peer → its X-Forwarded-For is ignored: the audit row has the peer’s address', async (t) => {
  const h = await startAuth(t, { env: { TRUSTED_PROXIES: '10.0.0.0/8' } });
  const account = await confirmedAccount(h);
  const res = await call(
    h.url,
    'POST',
    '/v1/token',
    { grant_type: 'password', username: account.username, password: account.password },
    { 'x-forwarded-for': '198.51.100.7' },
  );
  t.is(res.status, 200);
  const { rows } = await h.database.db.query<{ ip: string }>(
    "SELECT ip FROM audit_events WHERE event = 'login_succeeded'",
  );
  t.deepEqual(
    rows.map((r) => r.ip),
    ['127.0.0.1'],
  );
});

test('TRUSTED_PROXIES with this peer (the default, loopback) → its X-Forwarded-For names the client', async (t) => {
  const h = await startAuth(t);
  const account = await confirmedAccount(h);
  await call(
    h.url,
    'POST',
    '/v1/token',
    { grant_type: 'password', username: account.username, password: account.password },
    { 'x-forwarded-for': '198.51.100.7' },
  );
  const { rows } = await h.database.db.query<{ ip: string }>(
    "SELECT ip FROM audit_events WHERE event = 'login_succeeded'",
  );
  t.deepEqual(
    rows.map((r) => r.ip),
    ['198.51.100.7'],
  );
});
