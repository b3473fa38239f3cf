import test from 'ava';
import jwt from 'jsonwebtoken';
import { ManualClock } from '@gatehouse/service-kit';
import { bearer, call, confirmedAccount, login, newAccount, refresh, startAuth } from './helpers/harness.js';

test('password grant → 200 Bearer access token (ES256, typed, 15 min) and an opaque refresh token', async (t) => {
  const h = await startAuth(t);
  const account = await confirmedAccount(h);
  const res = await call(h.url, 'POST', '/v1/token', {
    grant_type: 'password',
    username: account.username,
    password: account.password,
  });
  t.is(res.status, 200);
  t.is(res.headers.get('cache-control'), 'no-store');
  t.like(res.body, { token_type: 'Bearer', expires_in: 900 });
  const decoded = jwt.decode(String(res.body.access_token), { complete: true });
  t.like(decoded?.header, { alg: 'ES256', typ: 'at+jwt' });
  const claims = decoded?.payload as Record<string, unknown>;
  t.like(claims, { iss: 'https://gatehouse.test', aud: 'gatehouse', token_use: 'access' });
  t.is(Number(claims.exp) - Number(claims.iat), 900);
  t.regex(String(res.body.refresh_token), /^[A-Za-z0-9_-]{43}$/);
});

test('password grant with the email, in another case → 200', async (t) => {
  const h = await startAuth(t);
  const account = await confirmedAccount(h);
  await t.notThrowsAsync(login(h, { username: account.email.toUpperCase(), password: account.password }));
});

test('password grant as an OAuth form post → 200', async (t) => {
  const h = await startAuth(t);
  const account = await confirmedAccount(h);
  const res = await fetch(`${h.url}/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username: account.username, password: account.password }),
  });
  t.is(res.status, 200);
});

test('login with wrong password → 401 invalid_credentials', async (t) => {
  const h = await startAuth(t);
  const account = await confirmedAccount(h);
  const res = await call(h.url, 'POST', '/v1/token', {
    grant_type: 'password',
    username: account.username,
    password: 'wrong password!',
  });
  t.is(res.status, 401);
  t.is(res.body.code, 'invalid_credentials');
});

test('login before confirming the email → 403 email_not_confirmed', async (t) => {
  const h = await startAuth(t);
  const account = newAccount();
  await call(h.url, 'POST', '/v1/signup', account);
  const res = await call(h.url, 'POST', '/v1/token', {
    grant_type: 'password',
    username: account.username,
    password: account.password,
  });
  t.is(res.status, 403);
  t.is(res.body.code, 'email_not_confirmed');
});

test('unknown grant_type → 400 unsupported_grant_type', async (t) => {
  const h = await startAuth(t);
  const res = await call(h.url, 'POST', '/v1/token', { grant_type: 'client_credentials' });
  t.is(res.status, 400);
  t.is(res.body.code, 'unsupported_grant_type');
});

test('me with the access token → 200 {id, username, email, email_verified, created_at}', async (t) => {
  const h = await startAuth(t);
  const account = await confirmedAccount(h);
  const tokens = await login(h, account);
  const res = await call(h.url, 'GET', '/v1/me', undefined, bearer(tokens.access_token));
  t.is(res.status, 200);
  t.deepEqual(Object.keys(res.body).sort(), ['created_at', 'email', 'email_verified', 'id', 'username']);
  t.like(res.body, { username: account.username, email: account.email, email_verified: true });
});

test('me without a token → 401 invalid_token with a Bearer challenge', async (t) => {
  const h = await startAuth(t);
  const res = await call(h.url, 'GET', '/v1/me');
  t.is(res.status, 401);
  t.is(res.body.code, 'invalid_token');
  t.regex(res.headers.get('www-authenticate') ?? '', /^Bearer/);
});

test('refresh grant → new access and refresh tokens; the new refresh token works in turn', async (t) => {
  const h = await startAuth(t);
  const tokens = await login(h, await confirmedAccount(h));
  const first = await refresh(h, tokens.refresh_token);
  t.is(first.status, 200);
  t.not(first.body.refresh_token, tokens.refresh_token);
  t.is((await call(h.url, 'GET', '/v1/me', undefined, bearer(String(first.body.access_token)))).status, 200);
  t.is((await refresh(h, String(first.body.refresh_token))).status, 200);
});

test('reuse of a rotated refresh token after the grace window → 401 and the whole session is revoked', async (t) => {
  const clock = new ManualClock(Date.now());
  const h = await startAuth(t, { clock });
  const tokens = await login(h, await confirmedAccount(h));
  const rotated = await refresh(h, tokens.refresh_token);
  clock.advance(11_000);
  const reuse = await refresh(h, tokens.refresh_token);
  t.is(reuse.status, 401);
  t.is(reuse.body.code, 'invalid_refresh_token');
  t.is((await refresh(h, String(rotated.body.refresh_token))).status, 401, 'the successor dies with the family');
  t.is((await call(h.url, 'GET', '/v1/me', undefined, bearer(String(rotated.body.access_token)))).status, 401);
  const { rows } = await h.database.db.query("SELECT event FROM audit_events WHERE event = 'refresh_reuse_detected'");
  t.is(rows.length, 1);
});

test('two tabs refreshing with the same token at once → both succeed within the grace window', async (t) => {
  const h = await startAuth(t);
  const tokens = await login(h, await confirmedAccount(h));
  const [a, b] = await Promise.all([refresh(h, tokens.refresh_token), refresh(h, tokens.refresh_token)]);
  t.deepEqual([a.status, b.status], [200, 200]);
  t.is((await refresh(h, String(a.body.refresh_token))).status, 200);
  t.is((await refresh(h, String(b.body.refresh_token))).status, 200);
});

test('refresh after the absolute session lifetime → 401 invalid_refresh_token', async (t) => {
  const clock = new ManualClock(Date.now());
  const h = await startAuth(t, { clock });
  let { refresh_token } = await login(h, await confirmedAccount(h));
  // Refreshing every day keeps the session alive only up to its absolute lifetime.
  for (let day = 0; day < 29; day++) {
    clock.advance(24 * 3600_000);
    const res = await refresh(h, refresh_token);
    t.is(res.status, 200);
    refresh_token = String(res.body.refresh_token);
  }
  clock.advance(24 * 3600_000 + 1000);
  const expired = await refresh(h, refresh_token);
  t.is(expired.status, 401);
  t.is(expired.body.code, 'invalid_refresh_token');
});

test('unknown refresh token → 401 invalid_refresh_token', async (t) => {
  const h = await startAuth(t);
  const res = await refresh(h, 'x'.repeat(43));
  t.is(res.status, 401);
  t.is(res.body.code, 'invalid_refresh_token');
});

test('access token after its 15 minutes → 401 invalid_token', async (t) => {
  const clock = new ManualClock(Date.now());
  const h = await startAuth(t, { clock });
  const tokens = await login(h, await confirmedAccount(h));
  clock.advance(901_000);
  t.is((await call(h.url, 'GET', '/v1/me', undefined, bearer(tokens.access_token))).status, 401);
});
