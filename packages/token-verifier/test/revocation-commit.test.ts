import jwt from 'jsonwebtoken';
import { call, bearer, confirmedAccount, login } from '../../../services/auth/test/helpers/harness.js';
import { authFor, eventually, serialTest, transports, verifierFor } from './helpers/verifier-harness.js';

const jtiOf = (token: string) => {
  const claims = jwt.decode(token) as { jti: string; exp: number };
  return { kind: 'jti' as const, jti: claims.jti, expiresAt: new Date(claims.exp * 1000) };
};

for (const transport of transports) {
  serialTest(transport)(
    `${transport}: revocation committed, its push lost (auth died before publishing) → verifiers still refuse the token`,
    async (t) => {
      const h = await authFor(t, transport);
      const verifier = await verifierFor(t, h, transport);
      const tokens = await login(h, await confirmedAccount(h));
      t.true((await verifier.verify(tokens.access_token)).ok);
      const { db, tokenStatus } = h.runtime.deps;
      // The revoking transaction commits; what runs after the commit (the push) never does.
      await db.transaction((tx) => tokenStatus.record(tx, [jtiOf(tokens.access_token)]));
      // On a loaded machine the verifier may also be briefly stale: wait for the refusal that matters.
      await eventually(async () => {
        const verdict = await verifier.verify(tokens.access_token);
        return !verdict.ok && verdict.reason === 'revoked';
      });
      t.is((await call(h.url, 'GET', '/v1/me', undefined, bearer(tokens.access_token))).status, 401);
    },
  );

  serialTest(transport)(
    `${transport}: revoking transaction rolled back → no event; the token still passes everywhere`,
    async (t) => {
      const h = await authFor(t, transport);
      const verifier = await verifierFor(t, h, transport);
      const tokens = await login(h, await confirmedAccount(h));
      const { db, tokenStatus } = h.runtime.deps;
      const before = verifier.stats().lastSeq;
      await t.throwsAsync(
        db.transaction(async (tx) => {
          await tokenStatus.record(tx, [jtiOf(tokens.access_token)]);
          throw new Error('rolled back');
        }),
        { message: 'rolled back' },
      );
      // Heartbeats every 100 ms in these tests: a few of them name no new event.
      await new Promise((resolve) => setTimeout(resolve, 500));
      t.is(verifier.stats().lastSeq, before);
      await eventually(async () => (await verifier.verify(tokens.access_token)).ok);
      t.is((await call(h.url, 'GET', '/v1/me', undefined, bearer(tokens.access_token))).status, 200);
    },
  );
}
