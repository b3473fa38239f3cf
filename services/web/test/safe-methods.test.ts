import test from 'ava';
import { linkFromMail, safeMethodPaths, tableDigests, walkSafeMethods } from '@gatehouse/testkit';
import { confirmedPerson, loggedIn, newPerson, startStack } from './helpers/stack.js';

// Security case 59: no page changes state on GET or HEAD. The paths are read from the routers, each is opened
// signed in, with live links where a page takes one, and auth's tables and the session count are compared.
//
// Two GETs are the protocol's and are held to it elsewhere: /github/callback (GitHub redirects with a GET; it
// needs the flow's state and binding, which a walk does not have) and /confirm-email in the browser that signed
// up (it needs the binding cookie; confirm-email.test.ts). Neither gets an exemption here: without those they
// must change nothing either.

test('GET and HEAD on every page, signed in, with live confirm and reset links → nothing changes', async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const browser = await loggedIn(stack, person);
  // A pending account (signed up in another browser) and a live reset link for the signed-in person.
  const pending = newPerson();
  const other = stack.browser();
  await other.get('/signup');
  await other.post('/signup', { username: pending.username, email: pending.email, password: pending.password });
  const confirmLink = linkFromMail(await stack.mail.waitFor(pending.email, /Confirm/), '/confirm-email');
  await browser.get('/forgot-password');
  await browser.post('/forgot-password', { email: person.email });
  const resetLink = linkFromMail(await stack.mail.waitFor(person.email, /Reset/), '/reset-password');
  await stack.auth.mailWorker!.stop();
  await browser.get('/account');

  const withLinks: Record<string, string> = {
    '/confirm-email': confirmLink.pathname + confirmLink.search,
    '/reset-password': resetLink.pathname + resetLink.search,
  };
  const routes = safeMethodPaths(stack.web.app);
  t.true(routes.includes('/confirm-email') && routes.includes('/account'), `routes found: ${routes.join(', ')}`);
  const paths = routes.flatMap((p) => (withLinks[p] ? [p, withLinks[p]] : [p]));
  const sessions = async () =>
    'db' in stack.sessionBackend
      ? String((await stack.sessionBackend.db.query('SELECT 1 FROM web_sessions')).rows.length)
      : '';
  const walk = await walkSafeMethods({
    baseUrl: stack.url,
    paths,
    headers: { cookie: browser.cookieHeader(), 'sec-fetch-site': 'none', accept: 'text/html' },
    state: async () => ({ ...(await tableDigests(stack.auth.deps.db)), web_sessions: await sessions() }),
  });
  t.is(walk.visited.length, paths.length * 2);
  t.deepEqual(walk.changed, []);
  // Still signed in: no GET logged the person out.
  t.is((await browser.get('/account')).status, 200);
});
