import { bearer, call, confirmedAccount, login } from '../../../services/auth/test/helpers/harness.js';
import { cuttableProxy } from './helpers/cuttable-proxy.js';
import { authFor, eventually, feedFor, serialTest, transports, verifierFor } from './helpers/verifier-harness.js';

const staleAfterMs = 1000;

for (const transport of transports) {
  serialTest(transport)(
    `${transport}: feed cut → verifier refuses within staleAfterMs (feed_stale); restored → passes again and sees what it missed`,
    async (t) => {
      const h = await authFor(t, transport);
      // The verifier reaches its feed (Redis, or auth's stream) through a proxy the test can cut.
      const target = transport === 'redis' ? Number(new URL(h.redis!.url).port || 6379) : Number(new URL(h.url).port);
      const proxy = await cuttableProxy(target);
      t.teardown(() => proxy.close());
      const viaProxy = `http://127.0.0.1:${proxy.port}`;
      const verifier = await verifierFor(t, h, transport, {
        staleAfterMs,
        ...(transport === 'redis'
          ? { feed: feedFor(h, transport, { redis: `redis://127.0.0.1:${proxy.port}` }) }
          : { authUrl: viaProxy }),
      });
      const account = await confirmedAccount(h);
      const [a, b] = [await login(h, account), await login(h, account)];
      t.true((await verifier.verify(a.access_token)).ok);

      await proxy.cut();
      const cutAt = performance.now();
      const waited = await eventually(
        async () => (await verifier.verify(a.access_token)).ok === false,
        staleAfterMs + 2000,
      );
      t.deepEqual(await verifier.verify(a.access_token), { ok: false, reason: 'feed_stale' });
      t.true(performance.now() - cutAt <= staleAfterMs + 500, `refused after ${Math.round(waited)} ms`);
      // Revoked while the verifier could not hear: it must learn of it on recovery.
      t.is((await call(h.url, 'POST', '/v1/logout', { scope: 'local' }, bearer(b.access_token))).status, 204);

      await proxy.restore();
      await eventually(async () => (await verifier.verify(a.access_token)).ok, 5000);
      t.deepEqual(await verifier.verify(b.access_token), { ok: false, reason: 'revoked' });
    },
  );
}

serialTest('redis')(
  'stale feed with whenStale "introspect" → auth is asked: good token passes, revoked one is refused',
  async (t) => {
    const h = await authFor(t, 'redis');
    const proxy = await cuttableProxy(Number(new URL(h.redis!.url).port || 6379));
    t.teardown(() => proxy.close());
    const verifier = await verifierFor(t, h, 'redis', {
      staleAfterMs,
      whenStale: 'introspect',
      feed: feedFor(h, 'redis', { redis: `redis://127.0.0.1:${proxy.port}` }),
    });
    const account = await confirmedAccount(h);
    const [a, b] = [await login(h, account), await login(h, account)];
    await proxy.cut();
    await eventually(() => !verifier.isFresh(), staleAfterMs + 2000);
    t.is((await call(h.url, 'POST', '/v1/logout', { scope: 'local' }, bearer(b.access_token))).status, 204);
    t.true((await verifier.verify(a.access_token)).ok);
    t.false((await verifier.verify(b.access_token)).ok);
  },
);

serialTest('stream')('10,000 tokens with garbage kids → at most a handful of JWKS fetches, all refused', async (t) => {
  const h = await authFor(t, 'stream');
  const verifier = await verifierFor(t, h, 'stream', { jwksRefetchIntervalMs: 10_000 });
  const { access_token } = await login(h, await confirmedAccount(h));
  const [head, body, sig] = access_token.split('.') as [string, string, string];
  const header = JSON.parse(Buffer.from(head, 'base64url').toString()) as Record<string, unknown>;
  const before = verifier.stats().jwksFetches;
  const verdicts = await Promise.all(
    Array.from({ length: 10_000 }, (_, i) => {
      const forged = Buffer.from(JSON.stringify({ ...header, kid: `garbage-${i}` })).toString('base64url');
      return verifier.verify(`${forged}.${body}.${sig}`);
    }),
  );
  t.true(verdicts.every((v) => !v.ok && v.reason === 'unknown_key'));
  const fetches = verifier.stats().jwksFetches - before;
  t.true(fetches <= 3, `${fetches} JWKS fetches`);
  // The real key is still known; the burst may have held the event loop past the feed's bound.
  await eventually(() => verifier.isFresh());
  t.like(await verifier.verify(access_token), { ok: true });
});
