import test from 'ava';
import Router from '@koa/router';
import { listen, safeMethodPaths, tableDigests, walkSafeMethods } from '@gatehouse/testkit';
import { createAuthApp } from '../src/app.js';
import { bearer, call, confirmedAccount, login, newAccount, serviceSecret, startAuth } from './helpers/harness.js';

// Security case 59: no route changes state on GET or HEAD. The routes are read from the routers, so a GET added
// later is walked too; each is called signed in, and every table is compared before and after.

test('GET and HEAD on every auth route, signed in → no table changes', async (t) => {
  const h = await startAuth(t, { env: { PURGE_INTERVAL_SECONDS: '86400' } });
  const account = await confirmedAccount(h);
  // An unconfirmed account with a live link, so a confirming GET would have something to change.
  const pending = newAccount();
  await call(h.url, 'POST', '/v1/signup', pending);
  await h.mail.waitFor(pending.email, /Confirm/);
  await h.runtime.mailWorker!.stop(); // its bookkeeping is not a request's doing
  const tokens = await login(h, account);
  const paths = safeMethodPaths(h.runtime.app);
  t.true(paths.includes('/v1/me') && paths.includes('/v1/revocations'), `routes found: ${paths.join(', ')}`);
  // Once as a person, once as a service: each credential reaches the handlers behind its guard.
  const service = { authorization: `Basic ${Buffer.from(`web:${serviceSecret}`).toString('base64')}` };
  for (const headers of [bearer(tokens.access_token), service]) {
    const walk = await walkSafeMethods({ baseUrl: h.url, paths, headers, state: () => tableDigests(h.database.db) });
    t.is(walk.visited.length, paths.length * 2);
    t.deepEqual(walk.changed, []);
  }
});

test('a GET route that writes, added to the app → the walk names it', async (t) => {
  const h = await startAuth(t, { env: { PURGE_INTERVAL_SECONDS: '86400' } });
  const app = createAuthApp(h.runtime.deps);
  const careless = new Router().get('/v1/careless', async (ctx) => {
    await h.runtime.deps.audit(h.database.db, 'logout', {});
    ctx.body = {};
  });
  app.use(careless.routes());
  const server = await listen(app);
  t.teardown(server.close);
  const walk = await walkSafeMethods({
    baseUrl: server.url,
    paths: safeMethodPaths(app),
    state: () => tableDigests(h.database.db),
  });
  t.deepEqual(walk.changed, [
    { request: 'GET /v1/careless', tables: ['audit_events'] },
    { request: 'HEAD /v1/careless', tables: ['audit_events'] },
  ]);
});
