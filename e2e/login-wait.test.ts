// Security cases 61 and 62 through the front door: a stranger's failures on an
// account are never shown as a lock (auth answers them like any wrong password),
// the stranger's own browser is told to wait, and the owner's browser, which
// logged in before and keeps its device cookie, still gets in from the same address.
// Five failures here count toward the suite address's 20-per-15-minutes spray limit.
import type { BrowserContext } from 'playwright-core';
import { testNeeding } from '@gatehouse/testkit';
import { confirmedUser } from './support/accounts.js';
import { chromiumMissing, launchBrowser, screenshot, url } from './support/index.js';

async function logIn(context: BrowserContext, username: string, password: string) {
  const page = await context.newPage();
  await page.goto(url('/login'));
  await page.getByLabel('Username or email').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  return page;
}

testNeeding(chromiumMissing)(
  '5 wrong passwords in one browser → that browser is told to wait; the owner’s browser that logged in before → account',
  async (t) => {
    const user = await confirmedUser(t, 'wait');
    const browser = await launchBrowser();
    t.teardown(() => browser.close());
    const owner = await browser.newContext({ javaScriptEnabled: false });
    const ownerPage = await logIn(owner, user.username, user.password);
    await ownerPage.waitForURL(url('/account'));
    t.true((await owner.cookies()).some((c) => c.name.endsWith('-device') && c.httpOnly));
    await ownerPage.getByRole('button', { name: 'Log out' }).first().click();

    const stranger = await browser.newContext({ javaScriptEnabled: false });
    let page = await logIn(stranger, user.username, 'a wrong guess 1');
    for (let i = 2; i <= 5; i++) {
      await page.getByLabel('Password').fill(`a wrong guess ${i}`);
      await page.getByRole('button', { name: 'Log in' }).click();
    }
    await page.getByRole('heading', { name: 'Please wait a moment' }).waitFor();
    t.regex((await page.textContent('main'))!, /please try again in 15 seconds\./);
    t.log(await screenshot(page, 'login-wait'));

    page = await logIn(owner, user.username, user.password);
    await page.waitForURL(url('/account'));
    t.true((await page.textContent('main'))!.includes(user.username));
  },
);
