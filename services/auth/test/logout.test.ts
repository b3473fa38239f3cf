import anyTest from 'ava';
import { redisServer, testNeeding } from '@gatehouse/testkit';
import { bearer, call, confirmedAccount, login, refresh, startAuth, type HarnessOptions } from './helpers/harness.js';

const redis = await redisServer();
const redisMissing = redis.url === undefined ? redis.why : undefined;
const withRedis = testNeeding(redisMissing);
// The same blacklist tests run on Postgres alone and with Redis serving the lookups.
const variants: [string, HarnessOptions, ReturnType<typeof testNeeding>][] = [
  ['postgres', {}, testNeeding(undefined)],
  ['postgres+redis', { redis: true }, withRedis],
];

for (const [name, options, test] of variants) {
  test(`${name}: logout → 204; replaying the access token → 401; its refresh token → 401`, async (t) => {
    const h = await startAuth(t, options);
    const tokens = await login(h, await confirmedAccount(h));
    t.is((await call(h.url, 'POST', '/v1/logout', { scope: 'local' }, bearer(tokens.access_token))).status, 204);
    const replay = await call(h.url, 'GET', '/v1/me', undefined, bearer(tokens.access_token));
    t.is(replay.status, 401);
    t.is(replay.body.code, 'invalid_token');
    t.is((await refresh(h, tokens.refresh_token)).status, 401);
  });

  test(`${name}: local logout → the user's other session keeps working`, async (t) => {
    const h = await startAuth(t, options);
    const account = await confirmedAccount(h);
    const phone = await login(h, account);
    const laptop = await login(h, account);
    await call(h.url, 'POST', '/v1/logout', {}, bearer(phone.access_token));
    t.is((await call(h.url, 'GET', '/v1/me', undefined, bearer(laptop.access_token))).status, 200);
    t.is((await refresh(h, laptop.refresh_token)).status, 200);
  });

  test(`${name}: logout → an access token refreshed earlier in the same session dies too`, async (t) => {
    const h = await startAuth(t, options);
    const tokens = await login(h, await confirmedAccount(h));
    const refreshed = await refresh(h, tokens.refresh_token);
    await call(h.url, 'POST', '/v1/logout', {}, bearer(tokens.access_token));
    t.is((await call(h.url, 'GET', '/v1/me', undefined, bearer(String(refreshed.body.access_token)))).status, 401);
  });

  test(`${name}: global logout → every session's access and refresh tokens refused`, async (t) => {
    const h = await startAuth(t, options);
    const account = await confirmedAccount(h);
    const sessions = [await login(h, account), await login(h, account), await login(h, account)];
    t.is((await call(h.url, 'POST', '/v1/logout', { scope: 'global' }, bearer(sessions[0]!.access_token))).status, 204);
    for (const s of sessions) {
      t.is((await call(h.url, 'GET', '/v1/me', undefined, bearer(s.access_token))).status, 401);
      t.is((await refresh(h, s.refresh_token)).status, 401);
    }
    const { rows } = await h.database.db.query<{ event: string }>(
      "SELECT event FROM audit_events WHERE event LIKE 'logout%'",
    );
    t.deepEqual(
      rows.map((r) => r.event),
      ['logout_global'],
    );
  });

  test(`${name}: logout on one replica → the token is refused by another replica at once`, async (t) => {
    const h = await startAuth(t, options);
    const other = await h.replica();
    const tokens = await login(h, await confirmedAccount(h));
    t.is((await call(other.url, 'GET', '/v1/me', undefined, bearer(tokens.access_token))).status, 200);
    await call(h.url, 'POST', '/v1/logout', {}, bearer(tokens.access_token));
    t.is((await call(other.url, 'GET', '/v1/me', undefined, bearer(tokens.access_token))).status, 401);
  });

  test(`${name}: logout with an unknown scope → 400 validation_failed`, async (t) => {
    const h = await startAuth(t, options);
    const tokens = await login(h, await confirmedAccount(h));
    const res = await call(h.url, 'POST', '/v1/logout', { scope: 'everything' }, bearer(tokens.access_token));
    t.is(res.status, 400);
    t.like((res.body.errors as unknown[])[0], { field: 'scope', code: 'scope_invalid' });
  });
}

withRedis(
  'redis restarted empty → a revoked token is still refused (Postgres answers until Redis is refilled)',
  async (t) => {
    const h = await startAuth(t, { redis: true });
    const tokens = await login(h, await confirmedAccount(h));
    await call(h.url, 'POST', '/v1/logout', {}, bearer(tokens.access_token));
    const keys = await h.redis!.client.keys(`${h.redis!.prefix}*`);
    await h.redis!.client.del(...keys);
    t.is((await call(h.url, 'GET', '/v1/me', undefined, bearer(tokens.access_token))).status, 401);
    // The refill runs behind the scenes; once the marker is back, Redis alone must refuse the token too.
    const marker = `${h.redis!.prefix}revocations:complete`;
    for (let i = 0; i < 100 && !(await h.redis!.client.get(marker)); i++) await new Promise((r) => setTimeout(r, 20));
    t.truthy(await h.redis!.client.get(marker));
    t.is((await call(h.url, 'GET', '/v1/me', undefined, bearer(tokens.access_token))).status, 401);
  },
);

withRedis(
  'redis unreachable → revocation checks fall back to Postgres: valid token 200, revoked token 401',
  async (t) => {
    const h = await startAuth(t, { env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    const account = await confirmedAccount(h);
    const kept = await login(h, account);
    const ended = await login(h, account);
    t.is((await call(h.url, 'POST', '/v1/logout', {}, bearer(ended.access_token))).status, 204);
    t.is((await call(h.url, 'GET', '/v1/me', undefined, bearer(kept.access_token))).status, 200);
    t.is((await call(h.url, 'GET', '/v1/me', undefined, bearer(ended.access_token))).status, 401);
  },
);

anyTest('database unreachable → a bearer request fails closed with 503 service_unavailable', async (t) => {
  const h = await startAuth(t);
  const tokens = await login(h, await confirmedAccount(h));
  const { createPgDatabase } = await import('@gatehouse/db');
  const { createPostgresTokenStatus } = await import('../src/tokens/token-status.js');
  const dead = createPgDatabase({ url: 'postgres://postgres@127.0.0.1:1/none', connectTimeoutMs: 300 });
  t.teardown(() => dead.close());
  h.runtime.deps.tokenStatus = createPostgresTokenStatus(dead);
  const { createAuthApp } = await import('../src/app.js');
  const { listen } = await import('@gatehouse/testkit');
  const server = await listen(createAuthApp(h.runtime.deps));
  t.teardown(server.close);
  const res = await call(server.url, 'GET', '/v1/me', undefined, bearer(tokens.access_token));
  t.is(res.status, 503);
  t.is(res.body.code, 'service_unavailable');
});
