import test from 'ava';
import { ManualClock } from '@gatehouse/service-kit';
import { postgresServer, testNeeding } from '@gatehouse/testkit';
import { bearer, call, confirmedAccount, login, refresh, startAuth } from './helpers/harness.js';

// Security case 67: a replay inside the grace window gets the first answer again, so a session never forks.

// Racing transactions need a server's concurrency; PGlite runs one connection.
const postgres = await postgresServer();
const withServer = testNeeding(postgres.url === undefined ? postgres.why : undefined);

withServer('4 refreshes with one token at once → all 200 with the same successor', async (t) => {
  const h = await startAuth(t, { redis: true });
  const tokens = await login(h, await confirmedAccount(h));
  const replies = await Promise.all(Array.from({ length: 4 }, () => refresh(h, tokens.refresh_token)));
  t.deepEqual(
    replies.map((r) => r.status),
    [200, 200, 200, 200],
  );
  t.is(new Set(replies.map((r) => r.body.refresh_token)).size, 1);
  for (const reply of replies)
    t.is((await call(h.url, 'GET', '/v1/me', undefined, bearer(String(reply.body.access_token)))).status, 200);
});

test('a replay 9 s after the rotation → the same successor; the session has one chain only', async (t) => {
  const clock = new ManualClock(Date.now());
  const h = await startAuth(t, { clock });
  const tokens = await login(h, await confirmedAccount(h));
  const first = await refresh(h, tokens.refresh_token);
  clock.advance(9000);
  const replay = await refresh(h, tokens.refresh_token);
  t.is(replay.status, 200);
  t.is(replay.body.refresh_token, first.body.refresh_token);
  const { rows } = await h.database.db.query('SELECT count(*)::int AS n FROM refresh_tokens');
  t.is((rows[0] as { n: number }).n, 2, 'the login token and its one successor');
});

test('a thief replaying inside the window, then refreshing after the owner did → reuse: the whole session is revoked', async (t) => {
  const clock = new ManualClock(Date.now());
  const h = await startAuth(t, { clock });
  const tokens = await login(h, await confirmedAccount(h));
  const owner = await refresh(h, tokens.refresh_token);
  const thief = await refresh(h, tokens.refresh_token);
  t.is(thief.status, 200);
  const ownerNext = await refresh(h, String(owner.body.refresh_token));
  t.is(ownerNext.status, 200);
  clock.advance(11_000);
  const thiefNext = await refresh(h, String(thief.body.refresh_token));
  t.is(thiefNext.status, 401, 'the thief holds the owner’s rotated token, not a chain of its own');
  t.is((await refresh(h, String(ownerNext.body.refresh_token))).status, 401, 'the session is over for both');
});
