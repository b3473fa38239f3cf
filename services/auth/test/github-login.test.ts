import test from 'ava';
import { bearer, call, confirmedAccount, login, newAccount, serviceSecret, startAuth } from './helpers/harness.js';

const service = { authorization: `Basic ${Buffer.from(`web:${serviceSecret}`).toString('base64')}` };
const githubLogin = (url: string, body: unknown, headers = service) =>
  call(url, 'POST', '/v1/internal/github-login', body, headers);
const githubLink = (url: string, body: unknown, headers = service) =>
  call(url, 'POST', '/v1/internal/github-link', body, headers);

let nextId = 7_000_000 + (process.pid % 100_000) * 100;
const githubId = () => (nextId += 1);

test('github-login without the service credential → 401 invalid_client; with a wrong one → 401', async (t) => {
  const h = await startAuth(t);
  const none = await githubLogin(h.url, { github_id: githubId(), login: 'octocat' }, {} as typeof service);
  t.is(none.status, 401);
  t.is(none.body.code, 'invalid_client');
  const wrong = await githubLogin(
    h.url,
    { github_id: githubId(), login: 'octocat' },
    { authorization: `Basic ${Buffer.from('web:nope').toString('base64')}` },
  );
  t.is(wrong.status, 401);
  const { rows } = await h.database.db.query('SELECT count(*)::int AS n FROM users');
  t.is((rows[0] as { n: number }).n, 0, 'nothing created');
});

test('first github-login → 200 created, username from the login, no email; the tokens work at /v1/me', async (t) => {
  const h = await startAuth(t);
  const id = githubId();
  const res = await githubLogin(h.url, { github_id: id, login: `Octo-${id}` });
  t.is(res.status, 200, JSON.stringify(res.body));
  t.true(res.body.created);
  const user = res.body.user as { id: string; username: string; email: string | null; email_verified: boolean };
  t.is(user.username, `Octo-${id}`);
  t.is(user.email, null);
  t.false(user.email_verified);
  t.is(res.body.token_type, 'Bearer');
  t.is(res.headers.get('cache-control'), 'no-store');
  const me = await call(h.url, 'GET', '/v1/me', undefined, bearer(res.body.access_token as string));
  t.is(me.status, 200);
  t.is(me.body.id, user.id);
  const refreshed = await call(h.url, 'POST', '/v1/token', {
    grant_type: 'refresh_token',
    refresh_token: res.body.refresh_token,
  });
  t.is(refreshed.status, 200, 'the refresh token belongs to a real session');
});

test('second github-login with the same id and a renamed login → same account, created false, login updated', async (t) => {
  const h = await startAuth(t);
  const id = githubId();
  const first = await githubLogin(h.url, { github_id: id, login: `first-${id}` });
  const second = await githubLogin(h.url, { github_id: id, login: `renamed-${id}` });
  t.is(second.status, 200);
  t.false(second.body.created);
  t.is((second.body.user as { id: string }).id, (first.body.user as { id: string }).id);
  const { rows } = await h.database.db.query<{ login: string }>(
    'SELECT login FROM github_identities WHERE github_id = $1',
    [id],
  );
  t.is(rows[0]?.login, `renamed-${id}`);
});

test('github-login whose login matches an existing username → a new account with a suffixed username, never the existing one', async (t) => {
  const h = await startAuth(t);
  const existing = await confirmedAccount(h);
  const res = await githubLogin(h.url, { github_id: githubId(), login: existing.username });
  t.is(res.status, 200);
  t.true(res.body.created);
  t.is((res.body.user as { username: string }).username, `${existing.username}-2`);
  const { rows } = await h.database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
  t.is(rows[0]?.n, 2);
});

test('github-login carrying the email of an existing account → 409 github_email_in_use; nothing created or linked (no silent merge)', async (t) => {
  const h = await startAuth(t);
  const existing = await confirmedAccount(h);
  const id = githubId();
  const res = await githubLogin(h.url, { github_id: id, login: `someone-${id}`, email: existing.email.toUpperCase() });
  t.is(res.status, 409);
  t.is(res.body.code, 'github_email_in_use');
  t.regex(String(res.body.detail), /Log in with your password/);
  t.false('access_token' in res.body);
  const users = await h.database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
  t.is(users.rows[0]?.n, 1);
  const links = await h.database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM github_identities');
  t.is(links.rows[0]?.n, 0);
  // The password still opens the account, which GitHub did not touch.
  await t.notThrowsAsync(login(h, existing));
});

test('github-link then github-login → signs in to the linked password account, even with a matching email', async (t) => {
  const h = await startAuth(t);
  const existing = await confirmedAccount(h);
  const tokens = await login(h, existing);
  const me = await call(h.url, 'GET', '/v1/me', undefined, bearer(tokens.access_token));
  const id = githubId();
  const linked = await githubLink(h.url, { user_id: me.body.id, github_id: id, login: `mine-${id}` });
  t.is(linked.status, 200, JSON.stringify(linked.body));
  const res = await githubLogin(h.url, { github_id: id, login: `mine-${id}`, email: existing.email });
  t.is(res.status, 200);
  t.false(res.body.created);
  t.is((res.body.user as { id: string }).id, me.body.id as string);
});

test('github-link of an id that signs in to another account → 409 github_already_linked; the link stays with its owner', async (t) => {
  const h = await startAuth(t);
  const id = githubId();
  const owner = await githubLogin(h.url, { github_id: id, login: `owner-${id}` });
  const other = await confirmedAccount(h);
  const otherMe = await call(h.url, 'GET', '/v1/me', undefined, bearer((await login(h, other)).access_token));
  const res = await githubLink(h.url, { user_id: otherMe.body.id, github_id: id, login: `owner-${id}` });
  t.is(res.status, 409);
  t.is(res.body.code, 'github_already_linked');
  const again = await githubLogin(h.url, { github_id: id, login: `owner-${id}` });
  t.is((again.body.user as { id: string }).id, (owner.body.user as { id: string }).id);
});

test('github-link for an unknown user → 404 user_not_found; bad input → 400 validation_failed, never 5xx', async (t) => {
  const h = await startAuth(t);
  const unknown = await githubLink(h.url, {
    user_id: '00000000-0000-4000-8000-000000000000',
    github_id: githubId(),
    login: 'x',
  });
  t.is(unknown.status, 404);
  t.is(unknown.body.code, 'user_not_found');
  for (const body of [
    { github_id: 'octocat', login: 'octocat' },
    { github_id: -1, login: 'octocat' },
    { github_id: 1.5, login: 'octocat' },
    { github_id: 12, login: 'a\u0000b' },
    { github_id: 12, login: '' },
    { github_id: 12, login: 'octo', email_verified: true },
  ]) {
    const res = await githubLogin(h.url, body);
    t.is(res.status, 400, JSON.stringify(body));
  }
});

test('two first github-logins for one id at once → one account', async (t) => {
  const h = await startAuth(t);
  const id = githubId();
  const results = await Promise.all([1, 2, 3].map(() => githubLogin(h.url, { github_id: id, login: `race-${id}` })));
  t.deepEqual(
    results.map((r) => r.status),
    [200, 200, 200],
  );
  t.is(new Set(results.map((r) => (r.body.user as { id: string }).id)).size, 1);
  t.is(results.filter((r) => r.body.created).length, 1);
});

test('an account made by GitHub has no password: the password grant with any password → 401 invalid_credentials', async (t) => {
  const h = await startAuth(t);
  const id = githubId();
  const made = await githubLogin(h.url, { github_id: id, login: `nopass-${id}` });
  const username = (made.body.user as { username: string }).username;
  const res = await call(h.url, 'POST', '/v1/token', {
    grant_type: 'password',
    username,
    password: newAccount().password,
  });
  t.is(res.status, 401);
  t.is(res.body.code, 'invalid_credentials');
});
