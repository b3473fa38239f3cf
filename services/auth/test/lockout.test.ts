import test, { type ExecutionContext } from 'ava';
import { call, confirmedAccount, startAuth, type Harness, type Reply } from './helpers/harness.js';

// Security cases 61 and 62: failures elsewhere never lock the owner out, and a lock says nothing.

const wrong = 'not the password at all';

function attempt(h: Harness, username: string, password: string, ip: string, deviceToken?: string): Promise<Reply> {
  const body = { grant_type: 'password', username, password, ...(deviceToken ? { device_token: deviceToken } : {}) };
  return call(h.url, 'POST', '/v1/token', body, { 'x-forwarded-for': ip });
}

async function timed(fn: () => Promise<Reply>): Promise<{ res: Reply; ms: number }> {
  const start = performance.now();
  const res = await fn();
  return { res, ms: performance.now() - start };
}

const withoutRequestId = (body: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(body).filter(([k]) => k !== 'request_id'));

/** 50 failures on the account: 5 from each of 10 addresses, the addresses in parallel. */
async function distributedGuessing(t: ExecutionContext, h: Harness, username: string) {
  await Promise.all(
    Array.from({ length: 10 }, async (_, i) => {
      for (let n = 0; n < 5; n++) t.is((await attempt(h, username, wrong, `198.51.100.${i + 1}`)).status, 401);
    }),
  );
}

test('login → a device token; sending it back → the same token again', async (t) => {
  const h = await startAuth(t);
  const account = await confirmedAccount(h);
  const first = await attempt(h, account.username, account.password, '192.0.2.1');
  t.is(first.status, 200);
  t.regex(String(first.body.device_token), /^[\w-]+\.[\w-]+\.[\w-]+$/);
  const again = await attempt(h, account.username, account.password, '192.0.2.1', String(first.body.device_token));
  t.is(again.body.device_token, first.body.device_token);
});

test('50 failures from 10 addresses → the owner’s right password on a device that logged in before → 200 at once', async (t) => {
  const h = await startAuth(t);
  const account = await confirmedAccount(h);
  const device = String((await attempt(h, account.username, account.password, '192.0.2.1')).body.device_token);
  await distributedGuessing(t, h, account.username);
  for (const ip of ['192.0.2.1', '198.51.100.1']) {
    const { res, ms } = await timed(() => attempt(h, account.username, account.password, ip, device));
    t.is(res.status, 200, `from ${ip}`);
    t.true(ms < 1500, `not slowed: ${Math.round(ms)} ms`);
  }
});

test('50 failures from 10 addresses → a fresh client with the right password → 200, slowed at most by the cap', async (t) => {
  const h = await startAuth(t);
  const account = await confirmedAccount(h);
  await distributedGuessing(t, h, account.username);
  const { res, ms } = await timed(() => attempt(h, account.username, account.password, '203.0.113.50'));
  t.is(res.status, 200);
  t.log(`fresh client after 50 failures: ${Math.round(ms)} ms (cap ${h.config.LOGIN_SLOWDOWN_MAX_MS} ms)`);
  t.true(ms >= h.config.LOGIN_SLOWDOWN_MAX_MS, 'slowed down');
  t.true(ms < h.config.LOGIN_SLOWDOWN_MAX_MS + 2000, 'by no more than the cap');
});

test('one address guessing → locked: its right password → 401 exactly like a wrong one for an unknown identifier, by username and by email; other addresses → 200', async (t) => {
  const h = await startAuth(t);
  const account = await confirmedAccount(h);
  const ip = '203.0.113.7';
  for (let n = 0; n < 5; n++) t.is((await attempt(h, account.username, wrong, ip)).status, 401);
  const unknown = await attempt(h, 'nobody-at-all', wrong, ip);
  for (const identifier of [account.username, account.email]) {
    const locked = await attempt(h, identifier, account.password, ip);
    t.is(locked.status, unknown.status);
    t.deepEqual(withoutRequestId(locked.body), withoutRequestId(unknown.body));
    t.deepEqual(
      [...locked.headers.keys()].filter((k) => !['date', 'x-request-id', 'content-length'].includes(k)).sort(),
      [...unknown.headers.keys()].filter((k) => !['date', 'x-request-id', 'content-length'].includes(k)).sort(),
    );
    t.is(locked.headers.get('retry-after'), null);
  }
  t.is((await attempt(h, account.username, account.password, '203.0.113.8')).status, 200);
});

// bcrypt cost 10: a locked answer that skipped the hash would be many times faster than one that checks it.
test('locked client vs wrong password for an unknown identifier → similar time', async (t) => {
  const h = await startAuth(t, { env: { BCRYPT_COST: '10' } });
  const accounts = [await confirmedAccount(h), await confirmedAccount(h)];
  const ip = '203.0.113.9';
  for (const account of accounts) for (let n = 0; n < 5; n++) await attempt(h, account.username, wrong, ip);
  await attempt(h, 'warm-up-user', wrong, '192.0.2.99');
  // Each side tries two identifiers 4 times, so both stay under the slowdown and show the same history.
  const ratios: number[] = [];
  for (let i = 0; i < 8; i++) {
    const account = accounts[i % 2]!;
    const locked = () => timed(() => attempt(h, account.email, account.password, ip));
    const unknown = () => timed(() => attempt(h, `nobody${i % 2}@example.com`, wrong, `192.0.2.${i}`));
    let a, b;
    if (i % 2) {
      a = await locked();
      b = await unknown();
    } else {
      b = await unknown();
      a = await locked();
    }
    t.is(a.res.status, 401);
    t.is(b.res.status, 401);
    ratios.push(a.ms / b.ms);
  }
  const ratio = [...ratios].sort((x, y) => x - y)[Math.floor(ratios.length / 2)]!;
  t.log(`median locked/unknown time ratio: ${ratio.toFixed(2)} (${ratios.map((r) => r.toFixed(2)).join(' ')})`);
  t.true(ratio > 0.5 && ratio < 2, `ratio ${ratio}`);
});

test('failures on the username slow the username down, never its email (no link between the two)', async (t) => {
  const h = await startAuth(t, { env: { LOGIN_SLOWDOWN_MAX_MS: '1500' } });
  const account = await confirmedAccount(h);
  for (let n = 0; n < 10; n++) await attempt(h, account.username, wrong, `198.51.100.${n + 1}`);
  const byName = await timed(() => attempt(h, account.username, wrong, '203.0.113.20'));
  const byEmail = await timed(() => attempt(h, account.email, wrong, '203.0.113.21'));
  t.log(`username ${Math.round(byName.ms)} ms, email ${Math.round(byEmail.ms)} ms`);
  t.true(byName.ms >= 1500);
  t.true(byEmail.ms < 1000);
});

test('a device guessing with its token → that device locked after 5; a fresh client and another device → 200', async (t) => {
  const h = await startAuth(t);
  const account = await confirmedAccount(h);
  const thief = String((await attempt(h, account.username, account.password, '192.0.2.1')).body.device_token);
  const owner = String((await attempt(h, account.username, account.password, '192.0.2.2')).body.device_token);
  t.not(thief, owner);
  for (let n = 0; n < 5; n++) await attempt(h, account.username, wrong, '192.0.2.1', thief);
  t.is((await attempt(h, account.username, account.password, '192.0.2.1', thief)).status, 401);
  t.is((await attempt(h, account.username, account.password, '192.0.2.1', owner)).status, 200);
  t.is((await attempt(h, account.username, account.password, '192.0.2.3')).status, 200);
});

test('a forged device token, or one of another account → counted as an unknown client (locked with its address)', async (t) => {
  const h = await startAuth(t);
  const account = await confirmedAccount(h);
  const other = await confirmedAccount(h);
  const real = String((await attempt(h, account.username, account.password, '192.0.2.1')).body.device_token);
  const othersToken = String((await attempt(h, other.username, other.password, '192.0.2.1')).body.device_token);
  const [id, user] = real.split('.');
  const forged = `${id}.${user}.${'A'.repeat(43)}`;
  const ip = '203.0.113.30';
  for (let n = 0; n < 5; n++) await attempt(h, account.username, wrong, ip);
  t.is((await attempt(h, account.username, account.password, ip, forged)).status, 401);
  t.is((await attempt(h, account.username, account.password, ip, othersToken)).status, 401);
  t.is((await attempt(h, account.username, account.password, ip, real)).status, 200);
});

test('a device token that is not a string or too long → 400 device_token_invalid', async (t) => {
  const h = await startAuth(t);
  for (const device_token of [42, 'x'.repeat(513)]) {
    const res = await call(h.url, 'POST', '/v1/token', {
      grant_type: 'password',
      username: 'a',
      password: 'b',
      device_token,
    });
    t.is(res.status, 400);
    t.like((res.body.errors as unknown[])[0], { field: 'device_token', code: 'device_token_invalid' });
  }
});
