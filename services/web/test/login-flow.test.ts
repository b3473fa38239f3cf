import { ManualClock } from '@gatehouse/service-kit';
import test from 'ava';
import { textOf } from './helpers/browser.js';
import { confirmedPerson, loggedIn, newPerson, startStack } from './helpers/stack.js';

test('login with username → 303 to /account under a NEW session id (fixation), tokens never in the browser', async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const browser = stack.browser();
  await browser.get('/login');
  const before = browser.jar.get('gatehouse');
  t.truthy(before);
  const res = await browser.post('/login', { identifier: person.username, password: person.password });
  t.is(res.status, 303);
  t.is(res.location, '/account');
  const after = browser.jar.get('gatehouse');
  t.truthy(after);
  t.not(after, before);
  t.regex(after!, /^[\w-]{43}$/, 'the cookie is a 256-bit id, nothing else');
  // The pre-login id is dead: presenting it again is an anonymous visitor.
  const planted = stack.browser();
  planted.jar.set('gatehouse', before!);
  t.is((await planted.get('/account')).status, 303);
  const account = await browser.follow(res);
  t.is(account.status, 200);
  t.notRegex(account.html, /eyJ[\w-]+\.[\w-]+\./, 'no JWT in the page');
  for (const cookie of browser.setCookies) t.notRegex(cookie.value, /eyJ/);
});

test('login with the email address, any case → 303 /account', async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const browser = stack.browser();
  await browser.get('/login');
  t.is(
    (await browser.post('/login', { identifier: person.email.toUpperCase(), password: person.password })).status,
    303,
  );
});

test('wrong password and unknown user → the same 401 page with one generic message, identifier kept, password not', async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const browser = stack.browser();
  await browser.get('/login');
  const wrong = await browser.post('/login', { identifier: person.username, password: 'not the password at all' });
  const unknown = await browser.post('/login', { identifier: 'nobody-here', password: 'not the password at all' });
  t.is(wrong.status, 401);
  t.is(unknown.status, 401);
  const message = /<div class="error-summary"[\s\S]*?<\/div>/;
  t.is(message.exec(wrong.html)?.[0], message.exec(unknown.html)?.[0]);
  t.regex(textOf(wrong.html), /That username or email and password don’t match an account/);
  t.regex(wrong.html, new RegExp(`value="${person.username}"`));
  t.notRegex(wrong.html, /not the password at all/);
});

test('login before the email is confirmed → 403 with a message and a resend button that mails a new link', async (t) => {
  const authClock = new ManualClock(Date.now());
  const stack = await startStack(t, { authClock });
  const person = newPerson();
  const browser = stack.browser();
  await browser.get('/signup');
  await browser.post('/signup', { username: person.username, email: person.email, password: person.password });
  await stack.mail.waitFor(person.email, /Confirm/);
  await browser.get('/login');
  const res = await browser.post('/login', { identifier: person.email, password: person.password });
  t.is(res.status, 403);
  t.regex(textOf(res.html), /isn’t confirmed yet.*Resend the confirmation email/);
  t.regex(res.html, /<form class="form form--inset" method="post" action="\/confirm-email\/resend"/);
  t.regex(res.html, new RegExp(`id="email" name="email" type="email" value="${person.email}"`));
  authClock.advance(61_000); // signup itself mailed the address: one mail a minute
  const resent = await browser.post('/confirm-email/resend', { email: person.email });
  t.is(resent.status, 303);
  t.truthy(await stack.mail.waitFor(person.email, /Confirm/, { nth: 1 }));
});

test('5 failed logins in this browser → 429 "Please wait … try again in 15 seconds" with Retry-After; auth not asked while it waits', async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const browser = stack.browser();
  await browser.get('/login');
  for (let i = 0; i < 4; i++)
    t.is((await browser.post('/login', { identifier: person.username, password: 'wrong wrong wrong' })).status, 401);
  const fifth = await browser.post('/login', { identifier: person.username, password: 'wrong wrong wrong' });
  t.is(fifth.status, 429);
  t.is(fifth.headers.get('retry-after'), '15');
  t.regex(
    textOf(fifth.html),
    /Please wait a moment.*don’t match an account\. After several failed attempts, please try again in 15 seconds\./,
  );
  const calls = () => stack.logs.auth.text().split('/v1/token').length;
  const before = calls();
  const sixth = await browser.post('/login', { identifier: person.username, password: person.password });
  t.is(sixth.status, 429);
  t.regex(textOf(sixth.html), /several failed attempts\. Please try again in ([1-9]|1[0-5]) seconds\./);
  t.is(calls(), before, 'the wait is this browser’s own; auth is not asked');
});

test('another browser’s failures on the account → this browser is not told to wait, and logs in', async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const attacker = stack.browser();
  await attacker.get('/login');
  for (let i = 0; i < 6; i++) await attacker.post('/login', { identifier: person.username, password: 'guess guess' });
  const owner = stack.browser();
  await owner.get('/login');
  t.is((await owner.post('/login', { identifier: person.username, password: person.password })).status, 303);
});

test('a browser that logged in before → logs in again after 50 failures from 10 other addresses; a fresh browser too', async (t) => {
  const stack = await startStack(t, { authEnv: { LOGIN_SLOWDOWN_MAX_MS: '1000' } });
  const person = await confirmedPerson(stack);
  const owner = await loggedIn(stack, person, '192.0.2.10');
  const device = [...owner.setCookies].find((c) => c.name === 'gatehouse-device');
  t.truthy(device, 'a device cookie was set at login');
  t.true(device!.attributes.includes('httponly'));
  t.is((await owner.post('/logout', {})).status, 303);
  await Promise.all(
    Array.from({ length: 10 }, async (_, i) => {
      const attacker = stack.browser(`198.51.100.${i + 100}`);
      await attacker.get('/login');
      for (let n = 0; n < 5; n++)
        await attacker.post('/login', { identifier: person.username, password: 'guess guess' });
    }),
  );
  await owner.get('/login');
  t.is((await owner.post('/login', { identifier: person.username, password: person.password })).status, 303);
  const fresh = stack.browser('203.0.113.77');
  await fresh.get('/login');
  t.is((await fresh.post('/login', { identifier: person.username, password: person.password })).status, 303);
});

test("the browser's address reaches auth: one address locked out for failures leaves another person's login alone", async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const attacker = stack.browser('203.0.113.7');
  await attacker.get('/login');
  let res = await attacker.post('/login', { identifier: 'someone-0', password: 'guess guess guess' });
  for (let i = 1; i < 40 && res.status !== 429; i++) {
    res = await attacker.post('/login', { identifier: `someone-${i}`, password: 'guess guess guess' });
  }
  t.is(res.status, 429, 'the spraying address is throttled');
  const victim = stack.browser('198.51.100.200');
  await victim.get('/login');
  t.is((await victim.post('/login', { identifier: person.username, password: person.password })).status, 303);
  t.true(
    stack.logs.auth.lines().some((l) => l.ip === '203.0.113.7'),
    'auth saw the browser address, not the web replica',
  );
});

const unsafe = [
  '//evil.example',
  'https://evil.example/x',
  '/\\evil.example',
  '/%2F%2Fevil.example',
  '/%5Cevil.example',
];
for (const next of unsafe) {
  test(`login with next=${next} → 303 to /account (never off-site)`, async (t) => {
    const stack = await startStack(t);
    const person = await confirmedPerson(stack);
    const browser = stack.browser();
    const form = await browser.get(`/login?next=${encodeURIComponent(next)}`);
    t.notRegex(form.html, /name="next"/, 'an unsafe next is not even carried');
    const res = await browser.post('/login', { identifier: person.username, password: person.password, next });
    t.is(res.status, 303);
    t.is(res.location, '/account');
  });
}

test('login with next=/account?tab=1 → back there after login', async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const browser = stack.browser();
  const form = await browser.get('/login?next=%2Faccount%3Ftab%3D1');
  t.regex(form.html, /<input type="hidden" name="next" value="\/account\?tab=1">/);
  const res = await browser.post('/login', {
    identifier: person.username,
    password: person.password,
    next: '/account?tab=1',
  });
  t.is(res.location, '/account?tab=1');
});

test('GET /login when already logged in → 303 to /account (or a safe next)', async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const browser = stack.browser();
  await browser.get('/login');
  await browser.post('/login', { identifier: person.username, password: person.password });
  t.is((await browser.get('/login')).location, '/account');
  t.is((await browser.get('/login?next=//evil.example')).location, '/account');
  t.is((await browser.get('/signup')).location, '/account');
});

test('login with empty fields → 400 with both messages, auth not asked', async (t) => {
  const stack = await startStack(t);
  const browser = stack.browser();
  await browser.get('/login');
  const res = await browser.post('/login', { identifier: '', password: '' });
  t.is(res.status, 400);
  t.regex(textOf(res.html), /Enter your username or email\. .*Enter your password\./);
  t.false(stack.logs.auth.text().includes('/v1/token'));
});

test('a mangled device cookie → ignored: the login still works', async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const browser = stack.browser();
  await browser.get('/login');
  browser.jar.set('gatehouse-device', 'x'.repeat(600));
  t.is((await browser.post('/login', { identifier: person.username, password: person.password })).status, 303);
});
