import jwt from 'jsonwebtoken';
import { tokenFromMail } from '@gatehouse/testkit';
import type { RevocationEvent } from '../src/index.js';
import { bearer, call, confirmedAccount, login, refresh } from '../../../services/auth/test/helpers/harness.js';
import { authFor, eventually, serialTest, transports, verifierFor } from './helpers/verifier-harness.js';

const refusedFor = async (verifier: { verify(t: string): Promise<{ ok: boolean }> }, token: string) =>
  !(await verifier.verify(token)).ok;

for (const transport of transports) {
  serialTest(transport)(
    `${transport}: local logout → the verifier refuses that token, the user's other session still passes`,
    async (t) => {
      const h = await authFor(t, transport);
      const verifier = await verifierFor(t, h, transport);
      const seen: RevocationEvent[] = [];
      verifier.onRevoked((event) => seen.push(event));
      const account = await confirmedAccount(h);
      const [a, b] = [await login(h, account), await login(h, account)];
      t.true((await verifier.verify(a.access_token)).ok);
      t.is((await call(h.url, 'POST', '/v1/logout', { scope: 'local' }, bearer(a.access_token))).status, 204);
      await eventually(() => refusedFor(verifier, a.access_token));
      t.deepEqual(await verifier.verify(a.access_token), { ok: false, reason: 'revoked' });
      t.true((await verifier.verify(b.access_token)).ok);
      const claims = jwt.decode(a.access_token) as { jti: string; sid: string };
      await eventually(() => seen.length === 2);
      t.deepEqual(
        seen.map((e) => [e.kind, e.subject]).sort(),
        [
          ['jti', claims.jti],
          ['session', claims.sid],
        ].sort(),
      );
    },
  );

  serialTest(transport)(
    `${transport}: global logout → a "user before T" event refuses every session's token`,
    async (t) => {
      const h = await authFor(t, transport);
      const verifier = await verifierFor(t, h, transport);
      const kinds: string[] = [];
      verifier.onRevoked((event) => kinds.push(event.kind));
      const account = await confirmedAccount(h);
      const [a, b] = [await login(h, account), await login(h, account)];
      t.is((await call(h.url, 'POST', '/v1/logout', { scope: 'global' }, bearer(a.access_token))).status, 204);
      await eventually(
        async () => (await refusedFor(verifier, a.access_token)) && refusedFor(verifier, b.access_token),
      );
      await eventually(() => kinds.includes('user'));
    },
  );

  serialTest(transport)(
    `${transport}: refresh-token reuse → the session event refuses the session's access tokens`,
    async (t) => {
      const h = await authFor(t, transport, { env: { REFRESH_REUSE_GRACE_SECONDS: '0' } });
      const verifier = await verifierFor(t, h, transport);
      const tokens = await login(h, await confirmedAccount(h));
      const rotated = await refresh(h, tokens.refresh_token);
      t.is(rotated.status, 200);
      const second = rotated.body as unknown as { refresh_token: string; access_token: string };
      t.is((await refresh(h, second.refresh_token)).status, 200);
      // The first token is now two rotations old: outside any grace, so this is reuse.
      t.is((await refresh(h, tokens.refresh_token)).status, 401);
      await eventually(
        async () => (await refusedFor(verifier, tokens.access_token)) && refusedFor(verifier, second.access_token),
      );
    },
  );

  serialTest(transport)(
    `${transport}: password reset → every earlier token refused; a token from after the reset passes`,
    async (t) => {
      const h = await authFor(t, transport);
      const verifier = await verifierFor(t, h, transport);
      const account = await confirmedAccount(h);
      const before = await login(h, account);
      t.is((await call(h.url, 'POST', '/v1/password/forgot', { email: account.email })).status, 202);
      const mail = await h.mail.waitFor(account.email, /Reset/i);
      const password = 'another long passphrase for tests';
      t.is((await call(h.url, 'POST', '/v1/password/reset', { token: tokenFromMail(mail), password })).status, 204);
      await eventually(() => refusedFor(verifier, before.access_token));
      // Tokens carry whole seconds: a login in the reset's second would fall under "before".
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const after = await login(h, { ...account, password });
      t.true((await verifier.verify(after.access_token)).ok);
    },
  );

  serialTest(transport)(
    `${transport}: a verifier started after the revocation still refuses the token (catch-up)`,
    async (t) => {
      const h = await authFor(t, transport);
      const account = await confirmedAccount(h);
      const [a, b] = [await login(h, account), await login(h, account)];
      t.is((await call(h.url, 'POST', '/v1/logout', { scope: 'local' }, bearer(a.access_token))).status, 204);
      const late = await verifierFor(t, h, transport);
      t.deepEqual(await late.verify(a.access_token), { ok: false, reason: 'revoked' });
      t.true((await late.verify(b.access_token)).ok);
    },
  );
}
