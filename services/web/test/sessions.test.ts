import test from 'ava';
import { ManualClock } from '@gatehouse/service-kit';
import { redisServer, testNeeding } from '@gatehouse/testkit';
import { textOf } from './helpers/browser.js';
import { confirmedPerson, loggedIn, startStack, type Stack } from './helpers/stack.js';

const minutes = (n: number) => n * 60_000;
const redis = await redisServer();

test('session cookie over http PUBLIC_URL → "gatehouse", HttpOnly, SameSite=Lax, Path=/, no Secure, no Max-Age', async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const browser = await loggedIn(stack, person);
  const cookies = browser.setCookies.filter((c) => c.value !== '' && c.name !== 'gatehouse-device');
  t.true(cookies.length > 0);
  for (const cookie of cookies) {
    t.is(cookie.name, 'gatehouse');
    t.deepEqual(cookie.attributes.sort(), ['httponly', 'path=/', 'samesite=lax']);
  }
  // The device cookie outlives the session on purpose (400 days): it is what keeps this browser from being locked out.
  const device = browser.setCookies.find((c) => c.name === 'gatehouse-device');
  const expires = device?.attributes.find((a) => a.startsWith('expires='))?.slice('expires='.length);
  t.true(Date.parse(expires ?? '') > Date.now() + 399 * 24 * 3600_000, `expires ${expires}`);
  t.deepEqual(device?.attributes.filter((a) => !a.startsWith('expires=')).sort(), [
    'httponly',
    'path=/',
    'samesite=lax',
  ]);
});

test('https PUBLIC_URL → cookie "__Host-gatehouse" with Secure, HttpOnly, SameSite=Lax, Path=/ and no Domain; HSTS sent', async (t) => {
  const stack = await startStack(t, { webEnv: { PUBLIC_URL: 'https://gatehouse.test' } });
  const person = await confirmedPerson(stack);
  const browser = await loggedIn(stack, person);
  const cookies = browser.setCookies.filter((c) => c.value !== '' && c.name !== '__Host-gatehouse-device');
  t.true(cookies.length > 0);
  for (const cookie of cookies) {
    t.is(cookie.name, '__Host-gatehouse');
    t.deepEqual(cookie.attributes.sort(), ['httponly', 'path=/', 'samesite=lax', 'secure']);
  }
  // The device cookie outlives the session on purpose (400 days): it is what keeps this browser from being locked out.
  const device = browser.setCookies.find((c) => c.name === '__Host-gatehouse-device');
  const expires = device?.attributes.find((a) => a.startsWith('expires='))?.slice('expires='.length);
  t.true(Date.parse(expires ?? '') > Date.now() + 399 * 24 * 3600_000, `expires ${expires}`);
  t.deepEqual(device?.attributes.filter((a) => !a.startsWith('expires=')).sort(), [
    'httponly',
    'path=/',
    'samesite=lax',
    'secure',
  ]);
  const page = await browser.get('/account');
  t.is(page.status, 200);
  t.is(page.headers.get('strict-transport-security'), 'max-age=31536000; includeSubDomains');
  t.regex(page.headers.get('content-security-policy') ?? '', /upgrade-insecure-requests/);
});

test('a forged or unknown session id → treated as a new anonymous visitor with a different id', async (t) => {
  const stack = await startStack(t);
  const browser = stack.browser();
  browser.jar.set('gatehouse', 'A'.repeat(43));
  const account = await browser.get('/account');
  t.is(account.status, 303);
  const login = await browser.get('/login');
  t.is(login.status, 200);
  t.not(browser.jar.get('gatehouse'), 'A'.repeat(43));
});

async function loginWithClock(t: import('ava').ExecutionContext) {
  const clock = new ManualClock(Date.now());
  const stack = await startStack(t, { clock });
  const person = await confirmedPerson(stack);
  const browser = await loggedIn(stack, person);
  return { clock, stack, person, browser };
}

test('idle timeout: 2 h without a request → logged out, told why, and the tokens revoked at auth', async (t) => {
  const { clock, stack, browser } = await loginWithClock(t);
  const id = browser.jar.get('gatehouse')!;
  const refreshToken = ((await stack.web.deps.store.get(id))!.user as { tokens: { refreshToken: string } }).tokens
    .refreshToken;
  clock.advance(minutes(119));
  t.is((await browser.get('/account')).status, 200, 'just inside the idle limit');
  clock.advance(minutes(121));
  const res = await browser.get('/account');
  t.is(res.status, 303);
  t.is(res.location, '/login?next=%2Faccount');
  const login = await browser.follow(res);
  t.regex(textOf(login.html), /logged out after a period of inactivity/);
  t.not(browser.jar.get('gatehouse'), id);
  await waitFor(async () => (await refreshAt(stack, refreshToken)) === 401);
  t.is(await refreshAt(stack, refreshToken), 401);
});

test('activity keeps a session alive past the idle limit, but never past the 12 h absolute limit', async (t) => {
  const { clock, browser } = await loginWithClock(t);
  for (let elapsed = 100; elapsed <= 700; elapsed += 100) {
    clock.advance(minutes(100));
    t.is((await browser.get('/account')).status, 200, `after ${elapsed} min`);
  }
  clock.advance(minutes(25));
  const res = await browser.get('/account');
  t.is(res.status, 303);
  t.regex(textOf((await browser.follow(res)).html), /sessions end after a while/);
});

test('stored session records are sealed: the row key is not the cookie and neither tokens nor username appear', async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const browser = await loggedIn(stack, person);
  const id = browser.jar.get('gatehouse')!;
  if (!('db' in stack.sessionBackend)) return t.fail('expected Postgres sessions');
  const { rows } = await stack.sessionBackend.db.query<{ id: string; data: string }>(
    'SELECT id, data FROM web_sessions',
  );
  t.true(rows.length >= 1);
  for (const row of rows) {
    t.not(row.id, id);
    t.false(row.data.includes(person.username));
    t.notRegex(row.data, /eyJ/);
  }
});

testNeeding(redis.url === undefined ? redis.why : undefined)(
  'sessions in Redis (REDIS_URL set) → login, account, logout work; the record expires an hour after the idle limit and is sealed',
  async (t) => {
    const stack = await startStack(t, { redis: true });
    t.is(stack.web.deps.store.kind, 'redis');
    const person = await confirmedPerson(stack);
    const browser = await loggedIn(stack, person);
    t.is((await browser.get('/account')).status, 200);
    if (!('redis' in stack.sessionBackend)) return t.fail('expected Redis sessions');
    const { client, prefix } = stack.sessionBackend.redis;
    const keys = await client.keys(`${prefix}*`);
    t.true(keys.length >= 1);
    for (const key of keys) {
      const ttl = await client.pttl(key);
      t.true(
        ttl > 2 * 3600 * 1000 - 60_000 && ttl <= 3 * 3600 * 1000,
        'idle limit plus the hour an expired record is kept',
      );
      t.false((await client.get(key))!.includes(person.username));
    }
    const out = await browser.post('/logout', {});
    t.is(out.status, 303);
    t.is((await browser.get('/account')).status, 303);
  },
);

async function refreshAt(stack: Stack, refreshToken: string): Promise<number> {
  const res = await fetch(`${stack.authUrl}/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: refreshToken }),
  });
  await res.body?.cancel();
  return res.status;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !(await check())) await new Promise((r) => setTimeout(r, 50));
}
