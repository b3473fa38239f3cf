import Router from '@koa/router';
import { createService } from '@gatehouse/service-kit';
import { captureLogs, listen } from '@gatehouse/testkit';
import { claimsOf, requireToken } from '../src/index.js';
import { bearer, call, confirmedAccount, login } from '../../../services/auth/test/helpers/harness.js';
import { authFor, eventually, serialTest, transports, verifierFor } from './helpers/verifier-harness.js';

for (const transport of transports) {
  serialTest(transport)(
    `${transport}: logged-out token → 401 invalid_token at auth and at a throwaway third service`,
    async (t) => {
      const h = await authFor(t, transport);
      const verifier = await verifierFor(t, h, transport);
      const app = createService({ name: 'third', logger: captureLogs('third').logger });
      const router = new Router().get('/notes', requireToken(verifier), (ctx) => {
        ctx.body = { owner: claimsOf(ctx.state).sub };
      });
      app.use(router.routes());
      const third = await listen(app);
      t.teardown(() => third.close());

      const { access_token } = await login(h, await confirmedAccount(h));
      const before = await call(third.url, 'GET', '/notes', undefined, bearer(access_token));
      t.is(before.status, 200);
      t.is((await call(third.url, 'GET', '/notes')).status, 401);
      t.is((await call(h.url, 'POST', '/v1/logout', { scope: 'local' }, bearer(access_token))).status, 204);
      t.is((await call(h.url, 'GET', '/v1/me', undefined, bearer(access_token))).status, 401);
      await eventually(
        async () => (await call(third.url, 'GET', '/notes', undefined, bearer(access_token))).status === 401,
      );
      const after = await call(third.url, 'GET', '/notes', undefined, bearer(access_token));
      t.is(after.body.code, 'invalid_token');
      t.is(after.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
    },
  );
}
