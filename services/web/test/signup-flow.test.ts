import test from 'ava';
import { ManualClock } from '@gatehouse/service-kit';
import { textOf } from './helpers/browser.js';
import { linkFromMail } from '@gatehouse/testkit';
import { confirmedPerson, newPerson, startStack } from './helpers/stack.js';

test('sign up → 303 to "check your inbox", the mailed link confirms in one click in that browser, the page invites to log in', async (t) => {
  const stack = await startStack(t);
  const person = newPerson();
  const browser = stack.browser();
  await browser.get('/signup');
  const res = await browser.post('/signup', {
    username: person.username,
    email: person.email,
    password: person.password,
  });
  t.is(res.status, 303);
  t.is(res.location, '/signup/check-email');
  const inbox = await browser.follow(res);
  t.regex(textOf(inbox.html), new RegExp(`We sent a confirmation link to ${person.email}`));
  const link = linkFromMail(await stack.mail.waitFor(person.email, /Confirm/), '/confirm-email');
  t.is(link.origin, stack.url, 'the mailed link points at the web pages');
  const confirmed = await browser.get(link.pathname + link.search);
  t.is(confirmed.status, 200);
  t.regex(textOf(confirmed.html), /Your email is confirmed .*log in/i);
  t.regex(confirmed.html, /<a class="button button--block" href="\/login">Log in<\/a>/);
  t.is(confirmed.headers.get('referrer-policy'), 'no-referrer');
});

test('signup with errors → 400, each message next to its field (aria-describedby), typed values kept but never the password', async (t) => {
  const stack = await startStack(t);
  const browser = stack.browser();
  await browser.get('/signup');
  const res = await browser.post('/signup', { username: 'ok-name<script>', email: 'not-an-email', password: 'short' });
  t.is(res.status, 400);
  const text = textOf(res.html);
  t.regex(res.html, /<title>Error: Create your account/);
  t.regex(res.html, /<p class="field__error" id="username-error">/);
  t.regex(res.html, /<p class="field__error" id="email-error">/);
  t.regex(
    res.html,
    /id="email" name="email" type="email" value="not-an-email"[^>]*aria-describedby="email-error"[^>]*aria-invalid="true"/,
  );
  t.regex(res.html, /value="ok-name&lt;script&gt;"/, 'escaped, not executed');
  t.notRegex(res.html, /value="short"/);
  t.regex(text, /Please check the form/);
  t.regex(res.html, /<a href="#email">/);

  const person = newPerson();
  const weak = await browser.post('/signup', { username: person.username, email: person.email, password: 'short' });
  t.is(weak.status, 400);
  t.regex(weak.html, /<p class="field__error" id="password-error">/);
  t.regex(
    weak.html,
    /id="password" name="password" type="password"[^>]*aria-describedby="password-error password-hint"/,
  );
  t.regex(weak.html, new RegExp(`value="${person.username}"`));
  t.notRegex(weak.html, /value="short"/);
});

test('signup with a taken username → 409, "That username is taken" on the username field, email kept', async (t) => {
  const stack = await startStack(t);
  const first = await confirmedPerson(stack);
  const browser = stack.browser();
  await browser.get('/signup');
  const other = newPerson({ username: first.username });
  const res = await browser.post('/signup', { username: other.username, email: other.email, password: other.password });
  t.is(res.status, 409);
  t.regex(res.html, /id="username-error">.*That username is taken/s);
  t.regex(res.html, new RegExp(`value="${other.email}"`));
});

test('signup with an email that already has an account → the same "check your inbox" answer; the owner is told by mail', async (t) => {
  const stack = await startStack(t);
  const first = await confirmedPerson(stack);
  const browser = stack.browser();
  await browser.get('/signup');
  const other = newPerson({ email: first.email });
  const res = await browser.post('/signup', { username: other.username, email: other.email, password: other.password });
  t.is(res.status, 303);
  t.is(res.location, '/signup/check-email');
  await stack.mail.waitFor(first.email, /already|tried to sign up/i);
});

test('signup with empty fields → 400 with a message per field, auth not bothered', async (t) => {
  const stack = await startStack(t);
  const browser = stack.browser();
  await browser.get('/signup');
  const res = await browser.post('/signup', { username: '', email: '  ', password: '' });
  t.is(res.status, 400);
  t.regex(textOf(res.html), /Choose a username\. .*Enter your email address\. .*Choose a password\./);
  t.false(stack.logs.auth.text().includes('/v1/signup'));
});

test('"send the link again" on the inbox page → new mail; a second ask within a minute → 429 "you can ask again in N seconds"', async (t) => {
  const authClock = new ManualClock(Date.now());
  const stack = await startStack(t, { authClock });
  const person = newPerson();
  const browser = stack.browser();
  await browser.get('/signup');
  await browser.follow(
    await browser.post('/signup', { username: person.username, email: person.email, password: person.password }),
  );
  await stack.mail.waitFor(person.email, /Confirm/);
  t.regex(browser.last!.html, new RegExp(`<input type="hidden" name="email" value="${person.email}">`));
  authClock.advance(61_000); // signup itself mailed the address: one mail a minute
  const resent = await browser.post('/confirm-email/resend', { email: person.email });
  t.is(resent.status, 303);
  const page = await browser.follow(resent);
  t.regex(textOf(page.html), /a new link is on its way/);
  const second = await stack.mail.waitFor(person.email, /Confirm/, { nth: 1 });
  t.truthy(second);
  const limited = await browser.post('/confirm-email/resend', { email: person.email });
  t.is(limited.status, 429);
  t.regex(limited.headers.get('retry-after') ?? '', /^\d+$/);
  t.regex(textOf(limited.html), /You can ask for another in \d+ seconds/);
});

test('an expired link → 400 "This link has expired" with a resend form; resending mails a link that confirms', async (t) => {
  const authClock = new ManualClock(Date.now());
  const stack = await startStack(t, { authClock });
  const person = newPerson();
  const browser = stack.browser();
  await browser.get('/signup');
  await browser.post('/signup', { username: person.username, email: person.email, password: person.password });
  const old = linkFromMail(await stack.mail.waitFor(person.email, /Confirm/), '/confirm-email');
  authClock.advance(25 * 3600 * 1000);

  const expired = await browser.get(old.pathname + old.search);
  t.is(expired.status, 400);
  t.regex(textOf(expired.html), /This link has expired .*log in .*Get a new link/);
  t.regex(
    expired.html,
    new RegExp(`id="email" name="email" type="email" value="${person.email}"`),
    'address remembered from signup',
  );
  const resent = await browser.post('/confirm-email/resend', { email: person.email });
  t.is(resent.status, 303);
  const fresh = linkFromMail(await stack.mail.waitFor(person.email, /Confirm/, { nth: 1 }), '/confirm-email');
  const confirmed = await browser.get(fresh.pathname + fresh.search);
  t.is(confirmed.status, 200);
  t.regex(textOf(confirmed.html), /Your email is confirmed/);
});

test('a made-up link → 400 "This link has expired", asking for the address (none known in this browser)', async (t) => {
  const stack = await startStack(t);
  const page = await stack.browser().get('/confirm-email?token=' + 'A'.repeat(43));
  t.is(page.status, 400);
  t.regex(page.html, /id="email" name="email" type="email" autocomplete="email"/);
});
