import { createHash } from 'node:crypto';
import test from 'ava';
import { ManualClock } from '@gatehouse/service-kit';
import { admin, bearer, call, client, otherClient, startSandbox, tokenFor, type Sandbox } from './helpers/sandbox.js';

const authorizeUrl = (s: Sandbox, params: Record<string, string>) =>
  `${s.url}/login/oauth/authorize?${new URLSearchParams({ client_id: client.client_id, ...params })}`;

/** Opens the consent page like a browser, keeping its cookie, and returns what the form needs. */
async function openConsent(s: Sandbox, params: Record<string, string>) {
  const page = await call(authorizeUrl(s, params));
  const cookie = page.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  return { page, cookie, csrf };
}

async function submitConsent(s: Sandbox, params: Record<string, string>, form: [string, string][]) {
  const { cookie, csrf } = await openConsent(s, params);
  const body = new URLSearchParams([
    ['_csrf', csrf],
    ['client_id', client.client_id],
    ...Object.entries(params),
    ...form,
  ]);
  return call(`${s.url}/login/oauth/authorize`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
    body: body.toString(),
  });
}

const exchange = (s: Sandbox, fields: Record<string, string>, accept?: string) =>
  call(`${s.url}/login/oauth/access_token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(accept ? { accept } : {}) },
    body: new URLSearchParams({
      client_id: client.client_id,
      client_secret: client.client_secret,
      ...fields,
    }).toString(),
  });

const codeOf = (location: string | null) => new URL(location ?? 'http://x/').searchParams.get('code') ?? '';

test('consent page → names the app, the asked scopes as ticked boxes, Authorize and Cancel', async (t) => {
  const s = await startSandbox(t);
  const { page } = await openConsent(s, { scope: 'public_repo workflow', state: 'st' });
  t.is(page.status, 200);
  t.regex(page.text, /Authorize Test App/);
  t.regex(page.text, /name="granted" value="public_repo" checked/);
  t.regex(page.text, /name="granted" value="workflow" checked/);
  t.regex(page.text, /value="cancel"/);
});

test('authorize → redirect with code and state; code exchanged form-encoded by default', async (t) => {
  const s = await startSandbox(t);
  const res = await submitConsent(s, { scope: 'repo', state: 'xyz' }, [
    ['user', 'octo-cat'],
    ['granted', 'repo'],
    ['decision', 'authorize'],
  ]);
  t.is(res.status, 302);
  const location = new URL(res.headers.get('location')!);
  t.is(`${location.origin}${location.pathname}`, client.callback_url);
  t.is(location.searchParams.get('state'), 'xyz');
  t.regex(location.searchParams.get('code')!, /^[0-9a-f]{20}$/);
  const token = await exchange(s, { code: location.searchParams.get('code')! });
  t.is(token.status, 200);
  t.regex(token.headers.get('content-type')!, /application\/x-www-form-urlencoded/);
  const form = new URLSearchParams(token.text);
  t.regex(form.get('access_token')!, /^gho_[A-Za-z0-9]{36}$/);
  t.is(form.get('scope'), 'repo');
  t.is(form.get('token_type'), 'bearer');
  const user = await call(`${s.api}/user`, { headers: bearer(form.get('access_token')!) });
  t.is((user.body as { login: string }).login, 'octo-cat');
});

test('cancel → redirect with access_denied, description, error_uri and state', async (t) => {
  const s = await startSandbox(t);
  const res = await submitConsent(s, { state: 's1' }, [
    ['user', 'someone'],
    ['decision', 'cancel'],
  ]);
  const location = new URL(res.headers.get('location')!);
  t.is(location.searchParams.get('error'), 'access_denied');
  t.is(location.searchParams.get('error_description'), 'The user has denied your application access.');
  t.regex(location.searchParams.get('error_uri')!, /^https:\/\/docs\.github\.com\/.+#access-denied$/);
  t.is(location.searchParams.get('state'), 's1');
});

test('unticking a scope → the token is granted the narrower scope', async (t) => {
  const s = await startSandbox(t);
  const res = await submitConsent(s, { scope: 'repo workflow' }, [
    ['user', 'narrow'],
    ['granted', 'repo'],
    ['decision', 'authorize'],
  ]);
  const token = await exchange(s, { code: codeOf(res.headers.get('location')) }, 'application/json');
  t.is((token.body as { scope: string }).scope, 'repo');
});

test('consent form without the cookie token, or from another site → 403, nothing granted', async (t) => {
  const s = await startSandbox(t);
  const forged = await call(`${s.url}/login/oauth/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' },
    body: new URLSearchParams({ client_id: client.client_id, user: 'victim', decision: 'authorize' }).toString(),
  });
  t.is(forged.status, 403);
  t.is(forged.headers.get('location'), null);
});

test('unknown client_id → 404; foreign redirect_uri → redirect to the callback with redirect_uri_mismatch', async (t) => {
  const s = await startSandbox(t);
  t.is((await call(authorizeUrl(s, { client_id: 'nope' }))).status, 404);
  const res = await call(authorizeUrl(s, { redirect_uri: 'http://evil.test/github/callback', state: 'q' }));
  t.is(res.status, 302);
  const location = new URL(res.headers.get('location')!);
  t.is(`${location.origin}${location.pathname}`, client.callback_url);
  t.is(location.searchParams.get('error'), 'redirect_uri_mismatch');
  t.is(location.searchParams.get('state'), 'q');
  // A path below the registered callback is allowed, as on GitHub.
  t.is((await call(authorizeUrl(s, { redirect_uri: `${client.callback_url}/deeper` }))).status, 200);
});

test('token endpoint with Accept: application/json → JSON; errors are HTTP 200 with error fields', async (t) => {
  const s = await startSandbox(t);
  const wrongSecret = await exchange(s, { client_secret: 'wrong-secret-0123456789', code: 'x' }, 'application/json');
  t.is(wrongSecret.status, 200);
  t.like(wrongSecret.body, {
    error: 'incorrect_client_credentials',
    error_description: 'The client_id and/or client_secret passed are incorrect.',
  });
  const badCode = await exchange(s, { code: '0123456789abcdef0123' }, 'application/json');
  t.is(badCode.status, 200);
  t.like(badCode.body, {
    error: 'bad_verification_code',
    error_description: 'The code passed is incorrect or expired.',
  });
  const form = await exchange(s, { code: 'nope' });
  t.is(new URLSearchParams(form.text).get('error'), 'bad_verification_code');
});

test('a code is single-use → second exchange is bad_verification_code', async (t) => {
  const s = await startSandbox(t);
  const hook = await call(`${s.url}/_sandbox/oauth/authorize`, {
    method: 'POST',
    headers: admin,
    json: { client_id: client.client_id, login: 'once', scope: 'repo' },
  });
  const { code } = hook.body as { code: string };
  t.like((await exchange(s, { code }, 'application/json')).body, { token_type: 'bearer' });
  t.like((await exchange(s, { code }, 'application/json')).body, { error: 'bad_verification_code' });
});

test('a code older than 10 minutes → bad_verification_code', async (t) => {
  const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
  const s = await startSandbox(t, { clock });
  const hook = await call(`${s.url}/_sandbox/oauth/authorize`, {
    method: 'POST',
    headers: admin,
    json: { client_id: client.client_id, login: 'late' },
  });
  clock.advance(10 * 60 * 1000 + 1000);
  t.like((await exchange(s, { code: (hook.body as { code: string }).code }, 'application/json')).body, {
    error: 'bad_verification_code',
  });
});

test('redirect_uri at exchange differs from the one authorized → redirect_uri_mismatch', async (t) => {
  const s = await startSandbox(t);
  const hook = await call(`${s.url}/_sandbox/oauth/authorize`, {
    method: 'POST',
    headers: admin,
    json: { client_id: client.client_id, login: 'redir', redirect_uri: `${client.callback_url}/a` },
  });
  const res = await exchange(
    s,
    { code: (hook.body as { code: string }).code, redirect_uri: `${client.callback_url}/b` },
    'application/json',
  );
  t.like(res.body, { error: 'redirect_uri_mismatch' });
});

test('PKCE S256: right verifier → token; wrong or missing verifier → bad_verification_code', async (t) => {
  const s = await startSandbox(t);
  const verifier = 'a-verifier-that-is-long-enough-to-be-valid-0123456789';
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const codeWith = async () => {
    const { cookie, csrf } = await openConsent(s, { code_challenge: challenge, code_challenge_method: 'S256' });
    const res = await call(`${s.url}/login/oauth/authorize`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        _csrf: csrf,
        client_id: client.client_id,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        user: 'pkce',
        decision: 'authorize',
      }).toString(),
    });
    return codeOf(res.headers.get('location'));
  };
  t.like((await exchange(s, { code: await codeWith(), code_verifier: verifier }, 'application/json')).body, {
    token_type: 'bearer',
  });
  t.like((await exchange(s, { code: await codeWith(), code_verifier: 'wrong' }, 'application/json')).body, {
    error: 'bad_verification_code',
  });
  t.like((await exchange(s, { code: await codeWith() }, 'application/json')).body, { error: 'bad_verification_code' });
});

test('an 11th token for the same user, app and scope → the oldest is revoked', async (t) => {
  const s = await startSandbox(t);
  const tokens: string[] = [];
  for (let i = 0; i < 11; i += 1) tokens.push(await tokenFor(s, 'many', 'repo'));
  t.is((await call(`${s.api}/user`, { headers: bearer(tokens[0]!) })).status, 401);
  t.is((await call(`${s.api}/user`, { headers: bearer(tokens[1]!) })).status, 200);
  // Another scope is another grant: not counted with these.
  const other = await tokenFor(s, 'many', 'public_repo');
  t.is((await call(`${s.api}/user`, { headers: bearer(other) })).status, 200);
  t.is((await call(`${s.api}/user`, { headers: bearer(tokens[1]!) })).status, 200);
});

const basic = (id: string, secret: string) => ({
  authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
});

test('DELETE /applications/{client_id}/token → 204 and that token is refused; the others stay', async (t) => {
  const s = await startSandbox(t);
  const one = await tokenFor(s, 'rev', 'repo');
  const two = await tokenFor(s, 'rev', 'repo');
  const res = await call(`${s.api}/applications/${client.client_id}/token`, {
    method: 'DELETE',
    headers: basic(client.client_id, client.client_secret),
    json: { access_token: one },
  });
  t.is(res.status, 204);
  t.is((await call(`${s.api}/user`, { headers: bearer(one) })).status, 401);
  t.is((await call(`${s.api}/user`, { headers: bearer(two) })).status, 200);
});

test('DELETE /applications/{client_id}/grant → every token of that user for the app is refused; other apps keep theirs', async (t) => {
  const s = await startSandbox(t);
  const one = await tokenFor(s, 'grant', 'repo');
  const two = await tokenFor(s, 'grant', 'public_repo');
  const elsewhere = await tokenFor(s, 'grant', 'repo', otherClient.client_id);
  const res = await call(`${s.api}/applications/${client.client_id}/grant`, {
    method: 'DELETE',
    headers: basic(client.client_id, client.client_secret),
    json: { access_token: one },
  });
  t.is(res.status, 204);
  t.is((await call(`${s.api}/user`, { headers: bearer(two) })).status, 401);
  t.is((await call(`${s.api}/user`, { headers: bearer(elsewhere) })).status, 200);
});

test('revocation with a wrong client secret → 404 and the token keeps working', async (t) => {
  const s = await startSandbox(t);
  const token = await tokenFor(s, 'keep', 'repo');
  const res = await call(`${s.api}/applications/${client.client_id}/grant`, {
    method: 'DELETE',
    headers: basic(client.client_id, 'not-the-secret-0123456789'),
    json: { access_token: token },
  });
  t.is(res.status, 404);
  t.is((await call(`${s.api}/user`, { headers: bearer(token) })).status, 200);
});

test('admin hook without the admin token → 401; with the admin API off → 404', async (t) => {
  const s = await startSandbox(t);
  t.is((await call(`${s.url}/_sandbox/faults`)).status, 401);
  const off = await startSandbox(t, { env: { SANDBOX_ADMIN_TOKEN: '' } });
  t.is((await call(`${off.url}/_sandbox/faults`, { headers: admin })).status, 404);
});

test('tokens and codes never reach the logs', async (t) => {
  const s = await startSandbox(t);
  const hook = await call(`${s.url}/_sandbox/oauth/authorize`, {
    method: 'POST',
    headers: admin,
    json: { client_id: client.client_id, login: 'quiet' },
  });
  const { code } = hook.body as { code: string };
  const res = await exchange(s, { code }, 'application/json');
  const token = (res.body as { access_token: string }).access_token;
  await call(`${s.api}/user`, { headers: bearer(token) });
  t.false(s.logs.text().includes(token));
  t.false(s.logs.text().includes(code));
});
