// The GitHub pages as far as they go without the mirror service: what they
// show, what they refuse before calling anyone, and the socket's own checks.
// MIRROR_URL points at a port nobody listens on, so any call to it would show.
import { createServer } from 'node:net';
import test from 'ava';
import { WebSocket } from 'ws';
import { webConfigSchema } from '../src/config.js';
import { textOf } from './helpers/browser.js';
import { confirmedPerson, loggedIn, startStack, type StackOptions } from './helpers/stack.js';

const serviceSecret = 'test-service-secret-0123456789abcdef012345';

async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const withMirror = async (): Promise<StackOptions> => ({
  webEnv: {
    MIRROR_URL: `http://127.0.0.1:${await deadPort()}`,
    SERVICE_SECRET: serviceSecret,
    GITHUB_OAUTH_URL: 'http://127.0.0.1:9',
  },
});

test('login and signup pages with MIRROR_URL → a "Sign in with GitHub" POST form carrying the form token and next', async (t) => {
  const stack = await startStack(t, await withMirror());
  const browser = stack.browser();
  const login = await browser.get('/login?next=%2Fmirror');
  t.regex(
    login.html,
    /<form method="post" action="\/login\/github">\s*<input type="hidden" name="_csrf" value="[^"]+">\s*<input type="hidden" name="next" value="\/mirror">/,
  );
  t.regex(textOf(login.html), /Sign in with GitHub/);
  const signup = await browser.get('/signup');
  t.regex(signup.html, /action="\/signup\/github"/);
  t.regex(textOf(signup.html), /Sign up with GitHub/);
});

test('login page without MIRROR_URL → no GitHub button, and /mirror and /login/github do not exist', async (t) => {
  const stack = await startStack(t);
  const browser = stack.browser();
  t.notRegex((await browser.get('/login')).html, /github/i);
  t.is((await browser.get('/mirror')).status, 404);
  t.is((await browser.post('/login/github', {})).status, 404);
});

test('POST /login/github without the form token, or cross-site → 403 and nothing started (the mirror is never called)', async (t) => {
  const stack = await startStack(t, await withMirror());
  const browser = stack.browser();
  await browser.get('/login');
  const missing = await browser.post('/login/github', { _csrf: '' });
  t.is(missing.status, 403);
  t.regex(textOf(missing.html), /Try again/);
  const crossSite = await browser.post('/login/github', {}, { 'sec-fetch-site': 'cross-site' });
  t.is(crossSite.status, 403);
  t.true(stack.logs.web.lines().some((l) => l.event === 'csrf_refused' && l.path === '/login/github'));
});

test('GitHub callback with no flow started in this browser → 400 "That GitHub link has expired", Try again, nothing exchanged, no referrer', async (t) => {
  const stack = await startStack(t, await withMirror());
  const browser = stack.browser();
  const page = await browser.get('/github/callback?code=stolen-code&state=someone-elses-state');
  t.is(page.status, 400);
  t.regex(textOf(page.html), /That GitHub link has expired/);
  t.regex(textOf(page.html), /nothing was exchanged with GitHub/);
  t.regex(page.html, /action="\/login\/github"/);
  t.regex(textOf(page.html), /Try again/);
  t.is(page.headers.get('referrer-policy'), 'no-referrer');
  t.false(
    stack.logs.web.lines().some((l) => /mirror service did not answer/.test(String(l.err ?? ''))),
    'the mirror was not asked',
  );
});

test('/mirror logged out → /login?next=/mirror with a line saying why; after logging in → back on /mirror', async (t) => {
  const stack = await startStack(t, await withMirror());
  const person = await confirmedPerson(stack);
  const browser = stack.browser();
  const res = await browser.get('/mirror');
  t.is(res.status, 303);
  t.is(res.location, '/login?next=%2Fmirror');
  const login = await browser.follow(res);
  t.regex(textOf(login.html), /Log in to mirror Gatehouse’s code to your GitHub account/);
  const sent = await browser.post('/login', {
    identifier: person.username,
    password: person.password,
    next: '/mirror',
  });
  t.is(sent.status, 303);
  t.is(sent.location, '/mirror');
  const mirror = await browser.follow(sent);
  t.is(mirror.status, 200);
  // The mirror is down here: the page says so instead of failing.
  t.regex(textOf(mirror.html), /The mirror service isn’t answering right now/);
});

test("CSP: /mirror alone may run this site's scripts and open a socket to it; other pages run none; forms may go to GitHub", async (t) => {
  const stack = await startStack(t, await withMirror());
  const person = await confirmedPerson(stack);
  const browser = await loggedIn(stack, person);
  const mirror = (await browser.get('/mirror')).headers.get('content-security-policy') ?? '';
  t.regex(mirror, /script-src 'self'(;|$)/);
  t.regex(mirror, new RegExp(`connect-src 'self' ws://${new URL(stack.url).host}(;|$)`));
  t.regex(mirror, /default-src 'none'/);
  const account = (await browser.get('/account')).headers.get('content-security-policy') ?? '';
  t.regex(account, /script-src 'none'/);
  t.notRegex(account, /connect-src/);
  t.regex(account, /form-action 'self' http:\/\/127\.0\.0\.1:9(;|$)/);
  t.regex(account, /object-src 'none'/);
});

test('/account with MIRROR_URL and the mirror down → 200 with the profile and a GitHub section saying it can’t be shown', async (t) => {
  const stack = await startStack(t, await withMirror());
  const person = await confirmedPerson(stack);
  const browser = await loggedIn(stack, person);
  const page = await browser.get('/account');
  t.is(page.status, 200);
  t.regex(textOf(page.html), new RegExp(person.email));
  t.regex(textOf(page.html), /GitHub The GitHub connection can’t be shown right now/);
});

function openSocket(url: string, headers: Record<string, string>): Promise<{ status?: number; code?: number }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { headers });
    socket.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode }));
    socket.on('close', (code) => resolve({ code }));
    socket.on('error', () => undefined);
  });
}

test('/mirror/events without a session → 401 before upgrading; from another origin → 403; a bad id → 400', async (t) => {
  const stack = await startStack(t, await withMirror());
  const person = await confirmedPerson(stack);
  const browser = await loggedIn(stack, person);
  const ws = stack.url.replace(/^http/, 'ws');
  t.is((await openSocket(`${ws}/mirror/events?id=abc`, { origin: stack.url })).status, 401);
  const cookie = browser.cookieHeader();
  t.is((await openSocket(`${ws}/mirror/events?id=abc`, { origin: 'https://evil.example', cookie })).status, 403);
  t.is((await openSocket(`${ws}/mirror/events?id=../../v1/x`, { origin: stack.url, cookie })).status, 400);
  t.is((await openSocket(`${ws}/elsewhere`, { origin: stack.url, cookie })).status, 404);
  // Signed in, but the mirror is unreachable: the socket opens and closes as "unavailable", never leaking anything.
  t.is((await openSocket(`${ws}/mirror/events?id=abc`, { origin: stack.url, cookie })).code, 1011);
});

test('config: SERVICE_SECRET missing → refused with its name (the revocation feed and the mirror both need it)', (t) => {
  const result = webConfigSchema.safeParse({ SESSION_SECRET: 'x'.repeat(32), MIRROR_URL: 'http://127.0.0.1:3002' });
  t.false(result.success);
  t.true(result.error!.issues.some((issue) => issue.path[0] === 'SERVICE_SECRET'));
});

test('API-started callback with state and code → 200 page with the completion code, nothing asked of the mirror', async (t) => {
  const stack = await startStack(t, await withMirror());
  const browser = stack.browser();
  const page = await browser.get('/github/callback/api?code=9f0c2a77e4b1&state=api_Xy-1_z');
  t.is(page.status, 200);
  t.regex(page.html, />api_Xy-1_z\.9f0c2a77e4b1<\/textarea>/);
  t.regex(textOf(page.html), /Almost done: return to your app/);
  t.is(page.headers.get('referrer-policy'), 'no-referrer');
  const denied = await browser.get('/github/callback/api?error=access_denied&state=api_x');
  t.is(denied.status, 400);
  t.regex(textOf(denied.html), /GitHub access wasn’t granted/);
  for (const broken of [
    '/github/callback/api',
    '/github/callback/api?state=a&code=<script>',
    '/github/callback/api?code=a',
  ]) {
    const res = await browser.get(broken);
    t.is(res.status, 400, broken);
    t.notRegex(res.html, /<script>/);
  }
});
