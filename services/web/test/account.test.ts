import test from 'ava';
import { textOf } from './helpers/browser.js';
import { confirmedPerson, loggedIn, startStack } from './helpers/stack.js';

test('change password with the wrong current password → 400 on that field; nothing changes', async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const browser = await loggedIn(stack, person);
  const res = await browser.post('/account/password', {
    current_password: 'not my password',
    new_password: 'a brand new passphrase',
  });
  t.is(res.status, 400);
  t.regex(res.html, /id="current_password-error">.*That isn’t your current password/s);
  t.notRegex(res.html, /a brand new passphrase|not my password/);
  const other = stack.browser();
  await other.get('/login');
  t.is((await other.post('/login', { identifier: person.username, password: person.password })).status, 303);
});

test("change password to a weak one → 400 with auth's policy message on the new password", async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const browser = await loggedIn(stack, person);
  const res = await browser.post('/account/password', { current_password: person.password, new_password: 'short' });
  t.is(res.status, 400);
  t.regex(res.html, /<p class="field__error" id="new_password-error">/);
  t.regex(res.html, /aria-describedby="new_password-error new_password-hint"/);
});

test('change password → 303 /account with a notice; this browser stays in, another device is logged out, the new password works', async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const here = await loggedIn(stack, person);
  const elsewhere = await loggedIn(stack, person);
  const res = await here.post('/account/password', {
    current_password: person.password,
    new_password: 'a brand new passphrase',
  });
  t.is(res.status, 303);
  t.is(res.location, '/account');
  const account = await here.follow(res);
  t.is(account.status, 200);
  t.regex(textOf(account.html), /Your password is changed/);
  t.is((await here.get('/account')).status, 200, 'still logged in here after the notice is gone');
  // The other device's access token still verifies until it expires; its refresh token is dead, which
  // the web service notices at its next refresh. Force that by expiring the access token in its session.
  const store = stack.web.deps.store;
  const id = elsewhere.jar.get('gatehouse')!;
  const data = (await store.get(id))!;
  const user = data.user as { tokens: { accessExpiresAt: number } };
  user.tokens.accessExpiresAt = 0;
  await store.set(id, data, Date.now() + 60_000);
  const kicked = await elsewhere.get('/account');
  t.is(kicked.status, 303);
  t.regex(kicked.location ?? '', /^\/login/);
  const fresh = stack.browser();
  await fresh.get('/login');
  t.is((await fresh.post('/login', { identifier: person.username, password: 'a brand new passphrase' })).status, 303);
});

test('log out everywhere → 303 /login with a notice; this and every other browser of the account are logged out', async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const here = await loggedIn(stack, person);
  const elsewhere = await loggedIn(stack, person);
  const res = await here.post('/account/logout-everywhere', {});
  t.is(res.status, 303);
  t.is(res.location, '/login');
  t.regex(textOf((await here.follow(res)).html), /You’re logged out on every device/);
  t.is((await here.get('/account')).status, 303);
  const store = stack.web.deps.store;
  const id = elsewhere.jar.get('gatehouse')!;
  const data = (await store.get(id))!;
  (data.user as { tokens: { accessExpiresAt: number } }).tokens.accessExpiresAt = 0;
  await store.set(id, data, Date.now() + 60_000);
  const other = await elsewhere.get('/');
  t.notRegex(textOf(other.html), /Signed in as/);
  t.regex(textOf(other.html), /Your session has ended/);
});

test('log out → 303 / "You’re logged out"; the server-side session is gone, the old cookie replayed is anonymous, the refresh token revoked', async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const browser = await loggedIn(stack, person);
  const id = browser.jar.get('gatehouse')!;
  const refreshToken = ((await stack.web.deps.store.get(id))!.user as { tokens: { refreshToken: string } }).tokens
    .refreshToken;
  const res = await browser.post('/logout', {});
  t.is(res.status, 303);
  t.is(res.location, '/');
  const home = await browser.follow(res);
  t.regex(textOf(home.html), /You’re logged out\./);
  t.notRegex(textOf(home.html), /Signed in as/);
  t.is(await stack.web.deps.store.get(id), undefined);
  const replay = stack.browser();
  replay.jar.set('gatehouse', id);
  const page = await replay.get('/account');
  t.is(page.status, 303);
  t.is(page.location, '/login?next=%2Faccount');
  const refreshed = await fetch(`${stack.authUrl}/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: refreshToken }),
  });
  t.is(refreshed.status, 401);
});

test('a stale access token is refreshed silently: /account still works and the session holds rotated tokens', async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const browser = await loggedIn(stack, person);
  const store = stack.web.deps.store;
  const id = browser.jar.get('gatehouse')!;
  const before = (await store.get(id))!;
  const tokens = (before.user as { tokens: { accessToken: string; refreshToken: string; accessExpiresAt: number } })
    .tokens;
  const old = { ...tokens };
  tokens.accessExpiresAt = Date.now() - 1000;
  await store.set(id, before, Date.now() + 60_000);
  const page = await browser.get('/account');
  t.is(page.status, 200);
  t.regex(textOf(page.html), new RegExp(`Username ${person.username}`));
  const after = ((await store.get(id))!.user as { tokens: typeof tokens }).tokens;
  t.not(after.refreshToken, old.refreshToken);
  t.not(after.accessToken, old.accessToken);
  t.true(after.accessExpiresAt > Date.now());
});

test('an access token auth refuses (revoked) → refreshed once and retried, the page still renders', async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const browser = await loggedIn(stack, person);
  const store = stack.web.deps.store;
  const id = browser.jar.get('gatehouse')!;
  const data = (await store.get(id))!;
  (data.user as { tokens: { accessToken: string } }).tokens.accessToken = 'not-a-jwt';
  await store.set(id, data, Date.now() + 60_000);
  const page = await browser.get('/account');
  t.is(page.status, 200);
});

test('two pages loaded at once with a stale access token → both render (one refresh, no reuse alarm)', async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const browser = await loggedIn(stack, person);
  const store = stack.web.deps.store;
  const id = browser.jar.get('gatehouse')!;
  const data = (await store.get(id))!;
  (data.user as { tokens: { accessExpiresAt: number } }).tokens.accessExpiresAt = 0;
  await store.set(id, data, Date.now() + 60_000);
  const [a, b] = await Promise.all([browser.get('/account'), browser.get('/account')]);
  t.is(a.status, 200);
  t.is(b.status, 200);
  t.is((await browser.get('/account')).status, 200);
});
