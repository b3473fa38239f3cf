import test from 'ava';
import { textOf } from './helpers/browser.js';
import { confirmedPerson, loggedIn, startStack } from './helpers/stack.js';

const meCalls = (lines: Record<string, unknown>[]) =>
  lines.filter((l) => l.msg === 'request' && l.path === '/v1/me').length;

test("/account viewed three times → no call to auth's /v1/me; the profile comes from the session", async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const browser = await loggedIn(stack, person);
  const before = meCalls(stack.logs.auth.lines());
  for (let i = 0; i < 3; i += 1) {
    const page = await browser.get('/account');
    t.is(page.status, 200);
    t.regex(textOf(page.html), new RegExp(`Username ${person.username}`));
    t.regex(textOf(page.html), new RegExp(person.email));
  }
  t.is(meCalls(stack.logs.auth.lines()), before);
});

test("another browser logs out everywhere → this browser's next page (token not yet expired) ends its session", async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const here = await loggedIn(stack, person);
  const elsewhere = await loggedIn(stack, person);
  t.is((await here.get('/account')).status, 200);
  t.is((await elsewhere.post('/account/logout-everywhere', {})).status, 303);
  // The revocation reaches web's verifier over the feed; give it a moment, no more.
  let page = await here.get('/');
  for (let i = 0; i < 50 && /Signed in as/.test(textOf(page.html)); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    page = await here.get('/');
  }
  t.regex(textOf(page.html), /Your session has ended/);
  t.is((await here.get('/account')).status, 303);
});
