import test from 'ava';
import { textOf } from './helpers/browser.js';
import { linkFromMail } from '@gatehouse/testkit';
import { confirmedPerson, loggedIn, startStack } from './helpers/stack.js';

test('forgot password for a known and an unknown address → the same page and wording; only the known one gets mail', async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const known = stack.browser();
  await known.get('/forgot-password');
  const a = await known.post('/forgot-password', { email: person.email });
  const unknown = stack.browser();
  await unknown.get('/forgot-password');
  const b = await unknown.post('/forgot-password', { email: 'nobody-at-all@example.com' });
  t.is(a.status, 303);
  t.is(b.status, 303);
  t.is(a.location, b.location);
  const pageA = textOf((await known.follow(a)).html).replace(person.email, 'ADDRESS');
  const pageB = textOf((await unknown.follow(b)).html).replace('nobody-at-all@example.com', 'ADDRESS');
  t.is(pageA, pageB);
  t.regex(pageA, /If ADDRESS belongs to an account, we’ve sent it a link/);
  await stack.mail.waitFor(person.email, /Reset your password/);
  t.is(stack.mail.find('nobody-at-all@example.com', /./).length, 0);
});

test('reset link → form; new password saved → 303 /login with a notice; the old password fails, the new one works, other sessions end', async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const elsewhere = await loggedIn(stack, person);
  const browser = stack.browser();
  await browser.get('/forgot-password');
  await browser.post('/forgot-password', { email: person.email });
  const link = linkFromMail(await stack.mail.waitFor(person.email, /Reset your password/), '/reset-password');
  const form = await browser.get(link.pathname + link.search);
  t.is(form.status, 200);
  t.is(form.headers.get('referrer-policy'), 'no-referrer');
  t.regex(form.html, /<input type="hidden" name="token" value="[\w-]+">/);
  const weak = await browser.post('/reset-password', { token: link.searchParams.get('token')!, password: 'short' });
  t.is(weak.status, 400);
  t.regex(weak.html, /id="password-error"/);
  t.regex(weak.html, /<input type="hidden" name="token" value="[\w-]+">/, 'the token survives the error');
  const done = await browser.post('/reset-password', {
    token: link.searchParams.get('token')!,
    password: 'a completely new passphrase',
  });
  t.is(done.status, 303);
  t.is(done.location, '/login');
  t.regex(textOf((await browser.follow(done)).html), /Your password is changed and every device was logged out/);
  t.is((await browser.post('/login', { identifier: person.username, password: person.password })).status, 401);
  t.is(
    (await browser.post('/login', { identifier: person.username, password: 'a completely new passphrase' })).status,
    303,
  );
  // The other browser's refresh token was revoked by the reset; its next refresh ends the session.
  const id = elsewhere.jar.get('gatehouse')!;
  const data = (await stack.web.deps.store.get(id))!;
  (data.user as { tokens: { accessExpiresAt: number } }).tokens.accessExpiresAt = 0;
  await stack.web.deps.store.set(id, data, Date.now() + 60_000);
  t.is((await elsewhere.get('/account')).status, 303);
});

test('a reset link used twice → the second time 400 "This link has expired" with a way to get a new one', async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const browser = stack.browser();
  await browser.get('/forgot-password');
  await browser.post('/forgot-password', { email: person.email });
  const link = linkFromMail(await stack.mail.waitFor(person.email, /Reset your password/), '/reset-password');
  await browser.get(link.pathname + link.search);
  t.is(
    (
      await browser.post('/reset-password', {
        token: link.searchParams.get('token')!,
        password: 'a completely new passphrase',
      })
    ).status,
    303,
  );
  await browser.get(link.pathname + link.search);
  const again = await browser.post('/reset-password', {
    token: link.searchParams.get('token')!,
    password: 'yet another passphrase',
  });
  t.is(again.status, 400);
  t.regex(textOf(again.html), /This link has expired .*Get a new link/);
});

test('asking twice within a minute → 429 with Retry-After and "you can ask for another in N seconds"', async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const browser = stack.browser();
  await browser.get('/forgot-password');
  t.is((await browser.post('/forgot-password', { email: person.email })).status, 303);
  await browser.get('/forgot-password');
  const again = await browser.post('/forgot-password', { email: person.email });
  t.is(again.status, 429);
  t.regex(again.headers.get('retry-after') ?? '', /^\d+$/);
  t.regex(textOf(again.html), /You can ask for another in \d+ seconds/);
  t.regex(again.html, new RegExp(`value="${person.email}"`));
});

test('forgot password with an empty or malformed address → 400 next to the field', async (t) => {
  const stack = await startStack(t);
  const browser = stack.browser();
  await browser.get('/forgot-password');
  const empty = await browser.post('/forgot-password', { email: '' });
  t.is(empty.status, 400);
  t.regex(empty.html, /id="email-error">.*Enter the email address of your account/s);
  const bad = await browser.post('/forgot-password', { email: 'not an address' });
  t.is(bad.status, 400);
  t.regex(bad.html, /id="email-error"/);
  t.regex(bad.html, /value="not an address"/);
});
