import test from 'ava';
import { ManualClock } from '@gatehouse/service-kit';
import { linkFromMail } from '@gatehouse/testkit';
import { textOf, type Browser } from './helpers/browser.js';
import { newPerson, startStack, type Person, type Stack } from './helpers/stack.js';

// Security cases 58 and 60: a mail scanner holding the link cannot confirm; the browser that signed up can in
// one click, anyone else with the password; a used link shows "already confirmed" and nothing of the account.

async function signUp(stack: Stack): Promise<{ person: Person; browser: Browser; link: string }> {
  const person = newPerson();
  const browser = stack.browser();
  await browser.get('/signup');
  await browser.post('/signup', { username: person.username, email: person.email, password: person.password });
  const url = linkFromMail(await stack.mail.waitFor(person.email, /Confirm/), '/confirm-email');
  return { person, browser, link: url.pathname + url.search };
}

const confirmedInAuth = async (stack: Stack, email: string) =>
  (await stack.auth.deps.db.query('SELECT 1 FROM users WHERE email = $1 AND email_verified_at IS NOT NULL', [email]))
    .rows.length === 1;

test('the link in another browser (a scanner) → 200 password page, nothing confirmed; HEAD the same', async (t) => {
  const stack = await startStack(t);
  const { person, link } = await signUp(stack);
  const scanner = stack.browser('203.0.113.99');
  const page = await scanner.get(link);
  t.is(page.status, 200);
  t.regex(textOf(page.html), /Enter your password to confirm this address/);
  t.regex(page.html, /<form class="form" method="post" action="\/confirm-email"/);
  t.regex(page.html, /name="password" type="password" autocomplete="current-password"/);
  t.false(textOf(page.html).includes(person.username), 'a link holder is shown nothing of the account');
  const head = await scanner.request('HEAD', link);
  t.is(head.status, 200);
  t.false(await confirmedInAuth(stack, person.email));
});

test('the signup browser’s HEAD → nothing confirmed, although it holds the binding cookie', async (t) => {
  const stack = await startStack(t);
  const { person, browser, link } = await signUp(stack);
  t.is((await browser.request('HEAD', link)).status, 200);
  t.false(await confirmedInAuth(stack, person.email));
});

test('a scanner that submits the page’s forms without a password → 400, nothing confirmed', async (t) => {
  const stack = await startStack(t);
  const { person, link } = await signUp(stack);
  const scanner = stack.browser();
  const page = await scanner.get(link);
  const token = /name="token" value="([^"]+)"/.exec(page.html)![1]!;
  const submitted = await scanner.post('/confirm-email', { token });
  t.is(submitted.status, 400);
  t.regex(textOf(submitted.html), /Enter your password/);
  t.false(await confirmedInAuth(stack, person.email));
});

test('the link in the browser that signed up → confirmed in one click; opened again → "already confirmed", no account data', async (t) => {
  const stack = await startStack(t);
  const { person, browser, link } = await signUp(stack);
  const page = await browser.get(link);
  t.is(page.status, 200);
  t.regex(textOf(page.html), new RegExp(`Your email is confirmed Thanks, ${person.username}`));
  t.true(await confirmedInAuth(stack, person.email));
  for (const who of [browser, stack.browser()]) {
    const again = await who.get(link);
    t.is(again.status, 200);
    t.regex(textOf(again.html), /This address is already confirmed/);
    t.false(textOf(again.html).includes(person.username));
    t.false(again.html.includes('name="password"'));
  }
});

test('the link in another browser with the right password → confirmed; a wrong one → 400 "wrong", still unconfirmed', async (t) => {
  const stack = await startStack(t);
  const { person, link } = await signUp(stack);
  const phone = stack.browser();
  const page = await phone.get(link);
  const token = /name="token" value="([^"]+)"/.exec(page.html)![1]!;
  const wrong = await phone.post('/confirm-email', { token, password: 'not my password at all' });
  t.is(wrong.status, 400);
  t.regex(textOf(wrong.html), /That password is wrong/);
  t.false(await confirmedInAuth(stack, person.email));
  const right = await phone.post('/confirm-email', { token, password: person.password });
  t.is(right.status, 200);
  t.regex(textOf(right.html), /Your email is confirmed/);
  t.true(await confirmedInAuth(stack, person.email));
});

test('five wrong passwords on the confirm page → 429 with Retry-After, like failed logins', async (t) => {
  const stack = await startStack(t, { authClock: new ManualClock(Date.now()) });
  const { person, link } = await signUp(stack);
  const other = stack.browser();
  const token = /name="token" value="([^"]+)"/.exec((await other.get(link)).html)![1]!;
  for (let i = 0; i < 5; i++) await other.post('/confirm-email', { token, password: `wrong guess ${i}` });
  const locked = await other.post('/confirm-email', { token, password: person.password });
  t.is(locked.status, 429);
  t.regex(locked.headers.get('retry-after') ?? '', /^\d+$/);
  t.false(await confirmedInAuth(stack, person.email));
});

test('a forged binding cookie → the password page, nothing confirmed', async (t) => {
  const stack = await startStack(t);
  const { person, browser, link } = await signUp(stack);
  const name = [...browser.jar.keys()].find((k) => k.includes('confirm'))!;
  const [binding] = browser.jar.get(name)!.split('.');
  browser.jar.set(name, `${binding}.forged-signature`);
  const page = await browser.get(link);
  t.regex(textOf(page.html), /Enter your password/);
  t.false(await confirmedInAuth(stack, person.email));
});
