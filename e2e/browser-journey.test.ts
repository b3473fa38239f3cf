// Journey (b): a person in a real browser (headless Chromium, no JavaScript
// needed by any page): sign up, read the mail, click the link, log in, see
// the account, log out, press Back and find nothing personal. Once at
// desktop width and once at 360 px; every step saved to test-results/e2e/.
import test, { type ExecutionContext } from 'ava';
import type { Browser } from 'playwright-core';
import { testNeeding } from '@gatehouse/testkit';
import {
  chromiumMissing,
  launchBrowser,
  linkFromMail,
  screenshot,
  uniqueUser,
  url,
  waitForMail,
} from './support/index.js';

const viewports = {
  desktop: { width: 1280, height: 860 },
  mobile: { width: 360, height: 740 },
} as const;

// One Chromium for the file, closed after the last test (not by the first test to finish).
let browser: Promise<Browser> | undefined;
const sharedBrowser = () => (browser ??= launchBrowser());
test.after.always(async () => {
  await (await browser)?.close();
});

async function journey(t: ExecutionContext, kind: keyof typeof viewports): Promise<void> {
  const context = await (await sharedBrowser()).newContext({ viewport: viewports[kind], javaScriptEnabled: false });
  t.teardown(() => context.close());
  const page = await context.newPage();
  const shot = async (step: string) => t.log(await screenshot(page, `${kind}-${step}`));
  const person = uniqueUser('web');

  // Home
  await page.goto(url('/'));
  t.is(await page.title(), 'Sign-in you can read in an afternoon · Gatehouse');
  await shot('01-home');

  // Sign up, first with a mistake: errors next to the field, values kept, password not.
  await page.getByRole('link', { name: 'Sign up' }).first().click();
  await page.getByLabel('Username').fill(person.username);
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  t.regex(await page.title(), /^Error: Create your account/);
  t.is(await page.getByLabel('Username').inputValue(), person.username);
  t.is(await page.getByLabel('Password').inputValue(), '');
  t.is(await page.getByLabel('Password').getAttribute('aria-invalid'), 'true');
  await shot('02-signup-error');
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
  t.true((await page.textContent('main'))!.includes(person.email));
  await shot('03-check-inbox');

  // The mail, and one click on its link.
  const mail = await waitForMail({ to: person.email, subject: /confirm/i });
  await page.goto(linkFromMail(mail, '/confirm-email'));
  await page.getByRole('heading', { name: 'Your email is confirmed' }).waitFor();
  await shot('04-confirmed');

  // Log in. (No deliberate wrong password here: every suite run comes from one
  // address, and auth rightly throttles an address that keeps failing.)
  await page.getByRole('link', { name: 'Log in' }).last().click();
  await page.getByLabel('Username or email').fill(person.username);
  await page.getByLabel('Password').fill(person.password);
  await shot('05-login');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(url('/account'));

  // The account page.
  await page.getByRole('heading', { name: 'Your account' }).waitFor();
  const main = (await page.textContent('main'))!;
  t.true(main.includes(person.username));
  t.true(main.includes(person.email));
  t.true(main.includes('Confirmed'));
  // Two cookies: the session id, and the device token that keeps failures elsewhere from locking this browser out.
  const cookies = await context.cookies();
  t.is(cookies.length, 2);
  t.true(cookies.some((c) => c.name.endsWith('-device')));
  for (const cookie of cookies) {
    t.true(cookie.httpOnly);
    t.is(cookie.sameSite, 'Lax');
  }
  await shot('06-account');

  // Home says who is signed in.
  await page.goto(url('/'));
  t.true((await page.textContent('main'))!.includes(`Signed in as ${person.username}`));
  await shot('07-home-signed-in');

  // Log out from the account page, then Back: nothing personal comes back.
  await page.goto(url('/account'));
  await page.getByRole('button', { name: 'Log out', exact: true }).click();
  await page.waitForURL(url('/'));
  await page.getByText('You’re logged out.').waitFor();
  await shot('08-logged-out');
  // no-store keeps /account out of the back-forward cache: Back asks the server, which sends a login page.
  await page.goBack();
  await page.waitForURL(/\/login\?next=%2Faccount$/);
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  const after = (await page.textContent('body'))!;
  t.false(after.includes(person.email), 'the account page is not shown from cache');
  t.false(after.includes('Your account'));
  await shot('09-back-after-logout');
}

const needsChromium = testNeeding(chromiumMissing);
needsChromium(
  'browser journey at desktop width: sign up, mail, confirm, log in, account, log out, Back shows nothing personal',
  (t) => journey(t, 'desktop'),
);
needsChromium('browser journey at 360 px: the same, on a small phone', (t) => journey(t, 'mobile'));

// Pages the journey does not pass through, each at both widths: no sideways
// scrolling at 360 px, and a screenshot to look at.
const otherPages = [
  ['forgot-password', '/forgot-password'],
  ['reset-password', '/reset-password?token=looks-like-a-token'],
  ['reset-link-expired', '/reset-password'],
  ['confirm-link-expired', '/confirm-email?token=expired-or-made-up'],
  ['not-found', '/no/such/page'],
] as const;

needsChromium('every other page fits a 360 px screen without sideways scrolling', async (t) => {
  const context = await (await sharedBrowser()).newContext({ viewport: viewports.mobile });
  t.teardown(() => context.close());
  const page = await context.newPage();
  for (const [name, path] of otherPages) {
    await page.goto(url(path));
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    t.is(overflow, 0, `${path} scrolls sideways by ${overflow}px`);
    t.log(await screenshot(page, `mobile-page-${name}`));
  }
});

needsChromium('dark colour scheme and desktop width: the other pages render (screenshots)', async (t) => {
  const context = await (
    await sharedBrowser()
  ).newContext({ viewport: viewports.desktop, colorScheme: 'dark', javaScriptEnabled: false });
  t.teardown(() => context.close());
  const page = await context.newPage();
  for (const [name, path] of otherPages) {
    const response = await page.goto(url(path));
    t.truthy(response);
    t.log(await screenshot(page, `desktop-dark-page-${name}`));
  }
  await page.goto(url('/login'));
  await page.getByLabel('Username or email').focus();
  t.log(await screenshot(page, 'desktop-dark-login-focus'));
});
