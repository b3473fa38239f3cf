// Bad bytes in a form get a 4xx page, never "Temporarily unavailable"; every
// route web mounts is fuzzed with a signed-in browser's session and form token.
import test from 'ava';
import { fuzzEndpoints, routesOf } from '@gatehouse/testkit';
import { textOf } from './helpers/browser.js';
import { confirmedPerson, loggedIn, startStack } from './helpers/stack.js';

test('login form with a NUL byte in the identifier → 400 page, not "Temporarily unavailable"', async (t) => {
  const stack = await startStack(t);
  const browser = stack.browser();
  await browser.get('/login');
  const res = await browser.post('/login', { identifier: 'ann\u0000', password: 'correct horse battery staple' });
  t.is(res.status, 400);
  t.notRegex(textOf(res.html), /Temporarily unavailable|Something went wrong/);
  t.regex(textOf(res.html), /The field "identifier" contains a control character/);
  t.false(stack.logs.web.text().includes('"request failed"'));
  t.false(stack.logs.auth.text().includes('"request failed"'));
});

const examples = {
  'POST /login': { identifier: 'ann', password: 'correct horse battery staple', next: '/account' },
  'POST /signup': { username: 'ann', email: 'ann@example.com', password: 'correct horse battery staple' },
  'POST /confirm-email/resend': { email: 'ann@example.com' },
  'POST /forgot-password': { email: 'ann@example.com' },
  'POST /reset-password': { token: 't'.repeat(43), password: 'correct horse battery staple' },
  'POST /account/password': { current_password: 'correct horse battery staple', new_password: 'another passphrase 42' },
};
const fields = [
  'identifier',
  'username',
  'email',
  'password',
  'current_password',
  'new_password',
  'token',
  'next',
  'private',
  '_csrf',
];

test('malformed forms, content types, queries and path parameters at every web route → never a 5xx', async (t) => {
  const stack = await startStack(t);
  const browser = await loggedIn(stack, await confirmedPerson(stack));
  const csrf = browser.last?.csrf;
  t.truthy(csrf, 'the account page carries a form token');
  // Signing out ends the session the other routes are fuzzed with: those go last.
  const endpoints = routesOf(stack.web.app).sort(
    (a, b) => Number(/logout/.test(a.path)) - Number(/logout/.test(b.path)),
  );
  t.true(endpoints.length >= 15, `only ${endpoints.length} endpoints found`);
  const failures = await fuzzEndpoints({
    base: stack.url,
    endpoints,
    fields,
    examples,
    fixedFields: { _csrf: csrf! },
    headersFor: () => ({
      cookie: browser.cookieHeader(),
      'sec-fetch-site': 'same-origin',
      origin: stack.url,
      'x-forwarded-for': browser.ip!,
    }),
    runs: 200,
  });
  t.deepEqual(failures, []);
});
