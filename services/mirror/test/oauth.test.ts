import test from 'ava';
import { call, publicUrl, startHarness } from './helpers/harness.js';
import { approve, finish, newBinding, startFlow } from './helpers/flows.js';
import { connectionAad } from '../src/domain/github-session.js';
import type { SealedToken } from '../src/github/token-cipher.js';

type SealedRow = SealedToken & Record<string, unknown>;

test('connect start → authorize URL on the OAuth host with PKCE S256, fixed redirect_uri, public_repo scope', async (t) => {
  const h = await startHarness(t);
  const url = await startFlow(h, { purpose: 'connect', user_id: 'u1', binding: newBinding() });
  t.is(url.origin + url.pathname, `${h.github.url}/login/oauth/authorize`);
  t.is(url.searchParams.get('code_challenge_method'), 'S256');
  t.regex(url.searchParams.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
  t.is(url.searchParams.get('redirect_uri'), `${publicUrl}/github/callback`);
  t.is(url.searchParams.get('scope'), 'public_repo');
  t.true(Buffer.from(url.searchParams.get('state') ?? '', 'base64url').length >= 16);
  const priv = await startFlow(h, { purpose: 'connect', user_id: 'u1', binding: newBinding(), private: true });
  t.is(priv.searchParams.get('scope'), 'repo');
  const signin = await startFlow(h, { purpose: 'signin', binding: newBinding() });
  t.is(signin.searchParams.get('scope'), null);
});

test('internal API without the service credential → 401 invalid_client', async (t) => {
  const h = await startHarness(t);
  const res = await call(`${h.url}/v1/internal/oauth/start`, {
    method: 'POST',
    json: { purpose: 'signin', binding: newBinding() },
  });
  t.is(res.status, 401);
  t.is(res.body.code, 'invalid_client');
  const wrong = await call(`${h.url}/v1/internal/oauth/start`, {
    method: 'POST',
    basic: 'web:wrong',
    json: { purpose: 'signin', binding: newBinding() },
  });
  t.is(wrong.status, 401);
});

test('connect round trip → token stored encrypted, never in the table in clear, use recorded', async (t) => {
  const h = await startHarness(t);
  const binding = newBinding();
  const url = await startFlow(h, { purpose: 'connect', user_id: 'u1', binding });
  const { code, state } = await approve(h, url, 'octo');
  const res = await finish(h, { state, code, binding });
  t.is(res.status, 200);
  t.like(res.body, { purpose: 'connect', user_id: 'u1', github: { login: 'octo' }, scope: 'public_repo' });
  const row = (await h.database.db.query<SealedRow>('SELECT * FROM github_connections')).rows[0]!;
  const token = h.mirror.deps.cipher.open(row, connectionAad('u1'));
  t.regex(token, /\w{20,}/);
  // The whole table, every column as text and as bytes: the token appears nowhere.
  const dump = await h.database.db.query<{ row: string }>(
    'SELECT row_to_json(c)::text AS row FROM github_connections c',
  );
  t.false(dump.rows[0]!.row.includes(token));
  for (const value of Object.values(row))
    t.false(Buffer.isBuffer(value) ? value.includes(token) : String(value).includes(token));
  t.false(h.logs.text().includes(token));
  const uses = await h.database.db.query('SELECT purpose, endpoint FROM github_token_uses');
  t.deepEqual(uses.rows, [{ purpose: 'connect', endpoint: 'GET /user' }]);
});

test('sign-in round trip → github id and login, no token stored', async (t) => {
  const h = await startHarness(t);
  const binding = newBinding();
  const url = await startFlow(h, { purpose: 'signin', binding });
  const { code, state } = await approve(h, url, 'octo');
  const res = await finish(h, { state, code, binding });
  t.is(res.status, 200);
  t.is(res.body.purpose, 'signin');
  t.like(res.body.github, { login: 'octo' });
  t.is(typeof (res.body.github as { id: unknown }).id, 'number');
  t.is((await h.database.db.query('SELECT 1 FROM github_connections')).rows.length, 0);
});

test('finish without state, with an unknown state, or from another browser → 400 oauth_state_invalid, no exchange', async (t) => {
  const h = await startHarness(t);
  t.is((await finish(h, { code: 'x', binding: newBinding() })).body.code, 'oauth_state_invalid');
  t.is((await finish(h, { state: 'nope', code: 'x', binding: newBinding() })).body.code, 'oauth_state_invalid');
  const binding = newBinding();
  const url = await startFlow(h, { purpose: 'connect', user_id: 'u1', binding });
  const { code, state } = await approve(h, url, 'octo');
  const foreign = await finish(h, { state, code, binding: newBinding() });
  t.is(foreign.status, 400);
  t.is(foreign.body.code, 'oauth_state_invalid');
  // The state was consumed by that attempt: the rightful browser cannot replay it either.
  t.is((await finish(h, { state, code, binding })).body.code, 'oauth_state_invalid');
  t.is((await h.database.db.query('SELECT 1 FROM github_connections')).rows.length, 0);
});

test('replayed state → 400 oauth_state_invalid', async (t) => {
  const h = await startHarness(t);
  const binding = newBinding();
  const url = await startFlow(h, { purpose: 'signin', binding });
  const { code, state } = await approve(h, url, 'octo');
  t.is((await finish(h, { state, code, binding })).status, 200);
  const again = await finish(h, { state, code, binding });
  t.is(again.status, 400);
  t.is(again.body.code, 'oauth_state_invalid');
});

test('state older than 10 minutes → 400 oauth_state_invalid', async (t) => {
  const h = await startHarness(t);
  const binding = newBinding();
  const url = await startFlow(h, { purpose: 'signin', binding });
  const { code, state } = await approve(h, url, 'octo');
  h.clock.advance(10 * 60 * 1000 + 1000);
  t.is((await finish(h, { state, code, binding })).body.code, 'oauth_state_invalid');
});

test('callback error=access_denied → 400 oauth_access_denied, nothing stored', async (t) => {
  const h = await startHarness(t);
  const binding = newBinding();
  const url = await startFlow(h, { purpose: 'connect', user_id: 'u1', binding });
  const res = await finish(h, {
    state: url.searchParams.get('state'),
    error: 'access_denied',
    error_description: 'The user has denied your application access.',
    binding,
  });
  t.is(res.status, 400);
  t.is(res.body.code, 'oauth_access_denied');
  t.is((await h.database.db.query('SELECT 1 FROM github_connections')).rows.length, 0);
});

test('token answer 200 with error=bad_verification_code → 400 oauth_exchange_failed', async (t) => {
  const h = await startHarness(t);
  const binding = newBinding();
  const url = await startFlow(h, { purpose: 'connect', user_id: 'u1', binding });
  const res = await finish(h, { state: url.searchParams.get('state'), code: 'not-a-real-code', binding });
  t.is(res.status, 400);
  t.is(res.body.code, 'oauth_exchange_failed');
  t.is((await h.database.db.query('SELECT 1 FROM github_connections')).rows.length, 0);
});

test('injected code from another PKCE verifier → 400 oauth_exchange_failed', async (t) => {
  const h = await startHarness(t);
  const attacker = await startFlow(h, { purpose: 'connect', user_id: 'attacker', binding: newBinding() });
  const { code } = await approve(h, attacker, 'mallory');
  const binding = newBinding();
  const victim = await startFlow(h, { purpose: 'connect', user_id: 'victim', binding });
  const res = await finish(h, { state: victim.searchParams.get('state'), code, binding });
  t.is(res.body.code, 'oauth_exchange_failed');
});

test('granted scope narrower than asked → 403 oauth_scope_insufficient, nothing stored', async (t) => {
  const h = await startHarness(t);
  const binding = newBinding();
  const url = await startFlow(h, { purpose: 'connect', user_id: 'u1', binding, private: true });
  const { code, state } = await approve(h, url, 'octo', 'public_repo');
  const res = await finish(h, { state, code, binding });
  t.is(res.status, 403);
  t.is(res.body.code, 'oauth_scope_insufficient');
  t.is((await h.database.db.query('SELECT 1 FROM github_connections')).rows.length, 0);
});

test('GitHub down during the exchange → 503 github_unavailable', async (t) => {
  const h = await startHarness(t);
  const binding = newBinding();
  const url = await startFlow(h, { purpose: 'connect', user_id: 'u1', binding });
  const { code, state } = await approve(h, url, 'octo');
  await h.github.fault({ kind: 'status', status: 502, times: 5, path: '/login/oauth/access_token' });
  const res = await finish(h, { state, code, binding });
  t.is(res.status, 503);
  t.is(res.body.code, 'github_unavailable');
});

/** An API client's connect: authorize with its bearer token, the person approves, the client completes. */
async function apiAuthorize(h: Awaited<ReturnType<typeof startHarness>>, token: string) {
  const res = await call(`${h.url}/v1/github/authorize`, { method: 'POST', token, json: {} });
  if (res.status !== 200) throw new Error(`authorize failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { url: new URL(res.body.authorization_url as string), binding: res.body.binding as string };
}

test('API-started connect → returns to /github/callback/api, the client completes it with its binding', async (t) => {
  const h = await startHarness(t);
  const token = h.verifier.issue('u1');
  const { url, binding } = await apiAuthorize(h, token);
  t.is(url.searchParams.get('redirect_uri'), `${publicUrl}/github/callback/api`);
  const { code, state } = await approve(h, url, 'octo');
  const res = await call(`${h.url}/v1/github/authorize/complete`, {
    method: 'POST',
    token,
    json: { completion: `${state}.${code}`, binding },
  });
  t.is(res.status, 200);
  t.like(res.body, { connected: true, github: { login: 'octo' }, scope: 'public_repo' });
  const connection = await call(`${h.url}/v1/github/connection`, { token });
  t.like(connection.body, { connected: true, github: { login: 'octo' } });
  // The completion is single-use.
  const again = await call(`${h.url}/v1/github/authorize/complete`, {
    method: 'POST',
    token,
    json: { completion: `${state}.${code}`, binding },
  });
  t.is(again.status, 400);
  t.is(again.body.code, 'oauth_state_invalid');
});

test('API completion by another user, with the wrong binding, or via the browser finish → 400 oauth_state_invalid, nothing stored', async (t) => {
  const h = await startHarness(t);
  const token = h.verifier.issue('u1');
  for (const attempt of [
    { token: h.verifier.issue('u2'), binding: undefined },
    { token, binding: newBinding() },
  ]) {
    const { url, binding } = await apiAuthorize(h, token);
    const { code, state } = await approve(h, url, 'octo');
    const res = await call(`${h.url}/v1/github/authorize/complete`, {
      method: 'POST',
      token: attempt.token,
      json: { completion: `${state}.${code}`, binding: attempt.binding ?? binding },
    });
    t.is(res.status, 400);
    t.is(res.body.code, 'oauth_state_invalid');
  }
  // web's browser finish cannot take over an API flow: it does not hold the binding.
  const { url } = await apiAuthorize(h, token);
  const { code, state } = await approve(h, url, 'octo');
  const viaWeb = await finish(h, { state, code, binding: newBinding() });
  t.is(viaWeb.status, 400);
  t.is(viaWeb.body.code, 'oauth_state_invalid');
  const rows = await h.database.db.query('SELECT 1 FROM github_connections');
  t.is(rows.rowCount, 0);
});

test('API completion that is not `<state>.<code>` → 400 validation_failed', async (t) => {
  const h = await startHarness(t);
  const token = h.verifier.issue('u1');
  for (const completion of ['', 'no-dot', 'a.b.c', 'x'.repeat(5000), 'a b.c']) {
    const res = await call(`${h.url}/v1/github/authorize/complete`, {
      method: 'POST',
      token,
      json: { completion, binding: newBinding() },
    });
    t.is(res.status, 400, completion.slice(0, 20));
    t.is(res.body.code, 'validation_failed');
  }
});
