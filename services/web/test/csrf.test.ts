import Router from '@koa/router';
import test from 'ava';
import Koa from 'koa';
import { createLogger } from '@gatehouse/service-kit';
import { listen } from '@gatehouse/testkit';
import { csrfExempt, csrfGuard, exemptionOf, unsafeMethods } from '../src/csrf.js';
import { textOf } from './helpers/browser.js';
import { confirmedPerson, loggedIn, newPerson, startStack } from './helpers/stack.js';

/** Every route of an app's routers that takes an unsafe method, with its exemption reason if any. */
function unsafeRoutes(app: Koa): { method: string; path: string; exemptBecause: string | undefined }[] {
  const routers = app.middleware.map((m) => (m as { router?: Router }).router).filter((r) => r !== undefined);
  return routers.flatMap((router) =>
    router.stack.flatMap((layer) =>
      unsafeMethods(layer).map((method) => ({
        method,
        path: String(layer.path).replace(/:(\w+)/g, '$1'),
        exemptBecause: exemptionOf(layer),
      })),
    ),
  );
}

const refusedLines = (logs: string) =>
  logs
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.event === 'csrf_refused');

test('login form posted without its token → 403, the form again with a message and the identifier kept; nothing happens', async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const browser = stack.browser();
  await browser.get('/login');
  const res = await browser.post('/login', { _csrf: '', identifier: person.username, password: person.password });
  t.is(res.status, 403);
  t.regex(textOf(res.html), /this form expired or was sent from another site, so nothing was changed/);
  t.regex(res.html, new RegExp(`id="identifier" name="identifier" type="text" value="${person.username}"`));
  t.notRegex(res.html, new RegExp(person.password));
  t.regex(res.html, /name="_csrf" value="[\w-]{43}"/, 'a working token to send it again with');
  t.is((await browser.get('/account')).status, 303, 'not logged in');
  t.like(refusedLines(stack.logs.web.text())[0], { reason: 'missing_token', path: '/login' });
  // Sending it again from the page it got back works.
  const again = await browser.post('/login', {
    _csrf: res.csrf!,
    identifier: person.username,
    password: person.password,
  });
  t.is(again.status, 303);
});

test('a token from another session → 403 token_mismatch', async (t) => {
  const stack = await startStack(t);
  const other = stack.browser();
  const foreign = (await other.get('/signup')).csrf!;
  const browser = stack.browser();
  await browser.get('/signup');
  const person = newPerson();
  const res = await browser.post('/signup', { _csrf: foreign, ...person });
  t.is(res.status, 403);
  t.regex(res.html, new RegExp(`value="${person.email}"`));
  t.like(refusedLines(stack.logs.web.text())[0], { reason: 'token_mismatch' });
  t.false(stack.logs.auth.text().includes('/v1/signup'), 'auth never asked');
});

test('Sec-Fetch-Site: cross-site → 403 even with the right token; same-site (a sibling subdomain) too', async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const browser = await loggedIn(stack, person);
  for (const site of ['cross-site', 'same-site']) {
    const res = await browser.post('/account/logout-everywhere', {}, { 'sec-fetch-site': site });
    t.is(res.status, 403, site);
    t.regex(textOf(res.html), /nothing was changed/);
  }
  t.is((await browser.get('/account')).status, 200, 'still logged in');
  t.is(refusedLines(stack.logs.web.text()).filter((l) => l.reason === 'cross_site').length, 2);
});

test('no Sec-Fetch-Site (older browser) and a foreign Origin → 403 foreign_origin', async (t) => {
  const stack = await startStack(t);
  const browser = stack.browser();
  await browser.get('/forgot-password');
  const res = await browser.post(
    '/forgot-password',
    { email: 'a@example.com' },
    { 'sec-fetch-site': '', origin: 'https://evil.example' },
  );
  t.is(res.status, 403);
  t.like(refusedLines(stack.logs.web.text())[0], { reason: 'foreign_origin' });
});

test('logout posted cross-site → 403 "Log out?" page with a working button; the session survives until it is pressed', async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const browser = await loggedIn(stack, person);
  const res = await browser.post('/logout', { _csrf: 'forged' });
  t.is(res.status, 403);
  t.regex(textOf(res.html), /Log out\? .*you are still logged in/);
  t.is((await browser.get('/account')).status, 200);
  const out = await browser.post('/logout', {});
  t.is(out.status, 303);
  t.is((await browser.get('/account')).status, 303);
});

test('router walk: every unsafe route of the app → 403 without a token (or is exempt with a reason); nothing changes', async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const browser = await loggedIn(stack, person);
  const routes = unsafeRoutes(stack.web.app);
  t.true(routes.length >= 8, `the walk found the app's forms (${routes.length})`);
  for (const route of routes) {
    const what = `${route.method} ${route.path}`;
    if (route.exemptBecause !== undefined) {
      t.true(route.exemptBecause.trim().length >= 10, `${what} is exempt without saying why`);
      continue;
    }
    const res = await browser.request(route.method, route.path, { form: { _csrf: '' } });
    t.is(res.status, 403, `${what} is not guarded`);
  }
  t.is((await browser.get('/account')).status, 200, 'nothing changed: still logged in with the old password');
});

test('a route that names no re-render is still refused (a plain 403 page, handler never runs); exemptions need a reason', async (t) => {
  const router = new Router();
  let ran = 0;
  router.post('/plain', () => void ran++);
  router.post('/webhook', csrfExempt('signed by the sender, not posted by a browser'), (ctx) => {
    ran++;
    ctx.status = 204;
  });
  const app = new Koa();
  app.use(
    csrfGuard({
      publicOrigin: 'http://example.test',
      logger: createLogger({ service: 'test', level: 'silent' }),
      router,
      refused: (ctx) => void (ctx.body = 'refused'),
    }),
  );
  app.use(router.routes());
  const server = await listen(app);
  t.teardown(() => server.close());
  const post = (path: string) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'sec-fetch-site': 'cross-site' } });
  const plain = await post('/plain');
  t.is(plain.status, 403);
  t.is(await plain.text(), 'refused');
  t.is(ran, 0);
  t.is((await post('/webhook')).status, 204);
  t.is(ran, 1);
  t.throws(() => csrfExempt(''), { message: /needs a reason/ });
  t.deepEqual(
    unsafeRoutes(app).map((r) => [r.method, r.path, r.exemptBecause]),
    [
      ['POST', '/plain', undefined],
      ['POST', '/webhook', 'signed by the sender, not posted by a browser'],
    ],
  );
});

test('GET never changes state: GET /logout and GET /account/logout-everywhere are not actions', async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const browser = await loggedIn(stack, person);
  t.is((await browser.get('/logout')).status, 405);
  t.is((await browser.get('/account/logout-everywhere')).status, 405);
  t.is((await browser.get('/account')).status, 200);
});
