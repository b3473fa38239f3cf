import test from 'ava';
import { createServer } from 'node:net';
import { captureLogs, freshDatabase, listen, linkFromMail } from '@gatehouse/testkit';
import { createAuthClient, createWebRuntime, webConfigSchema } from '../src/index.js';
import { Browser, textOf } from './helpers/browser.js';
import { confirmedPerson, loggedIn, sessionSecret, startStack } from './helpers/stack.js';

async function webAlone(
  t: import('ava').ExecutionContext,
  authUrl: string,
  wrap?: (real: ReturnType<typeof createAuthClient>) => ReturnType<typeof createAuthClient>,
) {
  const database = await freshDatabase();
  t.teardown(() => database.cleanup());
  const logs = captureLogs('web');
  const config = webConfigSchema.parse({
    SESSION_SECRET: sessionSecret,
    SERVICE_SECRET: 'test-service-secret-0123456789abcdef012345',
    REVOCATION_FEED: 'stream',
    AUTH_URL: authUrl,
    ASSETS_MODE: 'compile',
    AUTH_TIMEOUT_MS: '1000',
  });
  const real = createAuthClient({ baseUrl: authUrl, timeoutMs: 1000 });
  const runtime = await createWebRuntime(config, {
    db: database.db,
    logger: logs.logger,
    auth: wrap ? wrap(real) : real,
  });
  t.teardown(async () => {
    await runtime.close();
    real.close();
  });
  const server = await listen(runtime.app);
  t.teardown(() => server.close());
  return { browser: new Browser(server.url), logs };
}

test('an unexpected failure → 500 page that shows only a reference; the error is logged with that request id', async (t) => {
  const secretDetail = 'connect ECONNREFUSED postgres://admin:hunter2@db.internal/auth';
  const { browser, logs } = await webAlone(t, 'http://127.0.0.1:9', (real) => ({
    ...real,
    passwordGrant: async () => {
      throw new Error(secretDetail);
    },
  }));
  await browser.get('/login');
  const res = await browser.post('/login', { identifier: 'someone', password: 'whatever it is' });
  t.is(res.status, 500);
  const text = textOf(res.html);
  t.regex(text, /Something went wrong .*nothing you did caused it/);
  const requestId = res.headers.get('x-request-id')!;
  t.true(text.includes(requestId));
  t.false(res.html.includes('hunter2'));
  t.notRegex(res.html, /ECONNREFUSED|at async|\.ts:\d+/);
  t.is(res.headers.get('content-security-policy')?.includes("default-src 'none'"), true);
  const logged = logs.lines().find((l) => l.msg === 'request failed');
  t.is(logged?.req_id, requestId);
});

test('auth not answering → the form still renders; sending it → 503 "temporarily unavailable" with Retry-After, values kept out of logs', async (t) => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as { port: number }).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const { browser, logs } = await webAlone(t, `http://127.0.0.1:${port}`);
  const form = await browser.get('/login');
  t.is(form.status, 200);
  const res = await browser.post('/login', { identifier: 'someone', password: 'my secret passphrase' });
  t.is(res.status, 503);
  t.is(res.headers.get('retry-after'), '5');
  t.regex(textOf(res.html), /Temporarily unavailable .*Nothing was lost/);
  t.false(logs.text().includes('my secret passphrase'));
});

test("a whole journey leaves no password, token, or session id in either service's logs", async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack, { password: 'zebra-unique-passphrase-9' });
  const browser = await loggedIn(stack, person);
  const sessionId = browser.jar.get('gatehouse')!;
  const tokens = (
    (await stack.web.deps.store.get(sessionId))!.user as { tokens: { accessToken: string; refreshToken: string } }
  ).tokens;
  await browser.post('/account/password', {
    current_password: person.password,
    new_password: 'yak-unique-passphrase-7',
  });
  await browser.get('/account');
  await browser.post('/logout', {});
  await browser.get('/forgot-password');
  await browser.post('/forgot-password', { email: person.email });
  const link = linkFromMail(await stack.mail.waitFor(person.email, /Reset your password/), '/reset-password');
  await browser.get(link.pathname + link.search);
  await browser.post('/reset-password', {
    token: link.searchParams.get('token')!,
    password: 'quail-unique-passphrase-3',
  });
  const confirmLink = linkFromMail(stack.mail.find(person.email, /Confirm/)[0]!, '/confirm-email');
  const all = stack.logs.web.text() + stack.logs.auth.text();
  for (const secret of [
    person.password,
    'yak-unique-passphrase-7',
    'quail-unique-passphrase-3',
    tokens.accessToken,
    tokens.refreshToken,
    sessionId,
    link.searchParams.get('token')!,
    confirmLink.searchParams.get('token')!,
  ]) {
    t.false(all.includes(secret), `leaked: ${secret.slice(0, 12)}…`);
  }
  t.true(
    stack.logs.web
      .lines()
      .some((l) => l.event === 'web_login' && typeof l.user_id === 'string' && typeof l.ip === 'string'),
  );
});

test('a repeated form field (a forged form) → 400 page, nothing done', async (t) => {
  const stack = await startStack(t);
  const browser = stack.browser();
  const page = await browser.get('/login');
  const res = await fetch(`${stack.url}/login`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: browser.cookieHeader(),
      'sec-fetch-site': 'same-origin',
    },
    body: `_csrf=${page.csrf}&identifier=a&identifier=b&password=x`,
    redirect: 'manual',
  });
  t.is(res.status, 400);
  t.regex(textOf(await res.text()), /field twice/);
});

test("one request id from browser to auth: the id web answers with appears in auth's log for the same login", async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const browser = stack.browser('198.51.100.77');
  await browser.get('/login');
  const res = await browser.post(
    '/login',
    { identifier: person.username, password: person.password },
    { 'x-request-id': 'req-from-nginx-0001' },
  );
  t.is(res.headers.get('x-request-id'), 'req-from-nginx-0001');
  const authLines = stack.logs.auth.lines().filter((l) => l.req_id === 'req-from-nginx-0001');
  t.true(authLines.some((l) => l.path === '/v1/token' && l.ip === '198.51.100.77'));
  t.true(authLines.some((l) => l.path === '/v1/me'));
});

test('an oversized form → 413 page in HTML, not problem+json', async (t) => {
  const { browser } = await webAlone(t, 'http://127.0.0.1:9');
  await browser.get('/login');
  const res = await browser.post('/login', { identifier: 'x'.repeat(100_000), password: 'whatever it is' });
  t.is(res.status, 413);
  t.regex(res.headers.get('content-type') ?? '', /^text\/html/);
  t.regex(textOf(res.html), /Too much to send/);
});

test('a form with a repeated field → 400 page in HTML that says what was wrong', async (t) => {
  const { browser } = await webAlone(t, 'http://127.0.0.1:9');
  const res = await fetch(`${browser.base}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
    body: 'identifier=a&identifier=b&password=x',
  });
  t.true(res.status === 400 || res.status === 403);
  t.regex(res.headers.get('content-type') ?? '', /^text\/html/);
});
