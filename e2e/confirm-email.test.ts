// Security case 58 through the front door, in headless Chromium: a mail scanner (a cookie-less GET, a HEAD, or
// a browser that submits every form it finds) leaves the account unconfirmed; the browser that signed up
// confirms in one click; another browser confirms with the password. Screenshots of each page.
import test, { type ExecutionContext } from 'ava';
import type { Browser, BrowserContext } from 'playwright-core';
import { testNeeding } from '@gatehouse/testkit';
import { api, chromiumMissing, launchBrowser, screenshot, uniqueUser } from './support/index.js';
import { signUpInBrowser } from './support/accounts.js';

let browser: Promise<Browser> | undefined;
const sharedBrowser = () => (browser ??= launchBrowser());
test.after.always(async () => {
  await (await browser)?.close();
});

async function context(t: ExecutionContext): Promise<BrowserContext> {
  const made = await (await sharedBrowser()).newContext({ viewport: { width: 1280, height: 860 } });
  t.teardown(() => made.close());
  return made;
}

/** Signs up through the pages in `ctx`; returns the person and the mailed link. */
async function signUp(ctx: BrowserContext) {
  const person = uniqueUser('confirm');
  const page = await ctx.newPage();
  const link = await signUpInBrowser(page, person);
  return { person, page, link };
}

/** The password grant answers 403 email_not_confirmed until the address is confirmed. */
async function confirmed(person: { username: string; password: string }): Promise<boolean> {
  const res = await api('/api/auth/v1/token', {
    form: { grant_type: 'password', username: person.username, password: person.password },
  });
  if (res.status === 403) return false;
  if (res.status === 200) return true;
  throw new Error(`token: ${res.status} ${JSON.stringify(res.body)}`);
}

const needsChromium = testNeeding(chromiumMissing);

needsChromium(
  'a scanner (cookie-less GET, HEAD, every form submitted without a password) → unconfirmed; the signup browser then confirms in one click',
  async (t) => {
    const mine = await context(t);
    const { person, page, link } = await signUp(mine);

    const bare = await api(link);
    t.is(bare.status, 200);
    t.regex(String(bare.body), /Enter your password to confirm this address/);
    t.is((await api(link, { method: 'HEAD' })).status, 200);
    t.false(await confirmed(person));

    const scanner = await (await context(t)).newPage();
    await scanner.goto(link);
    await scanner.getByRole('heading', { name: 'Confirm your email' }).waitFor();
    t.log(await screenshot(scanner, 'confirm-password-form'));
    const forms = await scanner.locator('form').count();
    t.true(forms >= 1);
    for (let i = 0; i < forms; i++) {
      await scanner.goto(link);
      await scanner.locator('form').nth(i).locator('[type=submit]').click();
      await scanner.waitForLoadState();
    }
    t.regex((await scanner.textContent('main'))!, /Enter your password/);
    t.false(await confirmed(person));

    await page.goto(link);
    await page.getByRole('heading', { name: 'Your email is confirmed' }).waitFor();
    t.log(await screenshot(page, 'confirm-confirmed'));
    t.true(await confirmed(person));
    t.is((await mine.cookies()).filter((c) => c.name.includes('confirm')).length, 0, 'the binding cookie is gone');

    await scanner.goto(link);
    await scanner.getByRole('heading', { name: 'This address is already confirmed' }).waitFor();
    t.false((await scanner.textContent('main'))!.includes(person.username));
    t.log(await screenshot(scanner, 'confirm-already-confirmed'));
  },
);

needsChromium('the link opened in another browser → confirmed once the password is entered', async (t) => {
  const { person, link } = await signUp(await context(t));
  const phone = await (await context(t)).newPage();
  await phone.goto(link);
  await phone.getByLabel('Password').fill(person.password);
  await phone.getByRole('button', { name: 'Confirm my email' }).click();
  await phone.getByRole('heading', { name: 'Your email is confirmed' }).waitFor();
  t.true(await confirmed(person));
});
