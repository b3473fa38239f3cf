/// <reference lib="dom" />
// Journey (c), through the front door (nginx) in a real browser (headless
// Chromium, JavaScript on): sign up, confirm, log in → /account → Connect
// GitHub → authorize on the stand-in's consent page → back → /mirror → start
// → the progress bar moves over the bridged WebSocket (/mirror/events, upgraded
// by the edge) → open the mirrored repository's page on the stand-in. Every
// step saved to test-results/e2e/.
import test, { type ExecutionContext } from 'ava';
import type { Browser, Page } from 'playwright-core';
import { testNeeding } from '@gatehouse/testkit';
import { chromiumMissing, launchBrowser, screenshot, uniqueUser, url } from './support/index.js';
import { signUpInBrowser } from './support/accounts.js';

const sandboxUrl = (process.env.E2E_GITHUB_SANDBOX_URL ?? '').replace(/\/+$/, '');
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

let browser: Promise<Browser> | undefined;
const sharedBrowser = () => (browser ??= launchBrowser());
test.after.always(async () => {
  await (await browser)?.close();
});

/** Signs up and confirms in the browser, as a person would; ends on /account. */
async function signUpAndLogIn(t: ExecutionContext, page: Page, shot: (step: string) => Promise<void>) {
  const person = uniqueUser('mirror');
  await page.goto(await signUpInBrowser(page, person));
  await page.getByRole('heading', { name: 'Your email is confirmed' }).waitFor();

  // Logged out, /mirror leads to the login page, which says why, and back to /mirror afterwards.
  await page.goto(url('/mirror'));
  await page.getByText('Log in to mirror Gatehouse’s code to your GitHub account.').waitFor();
  await shot('01-login-says-why');
  await page.getByLabel('Username or email').fill(person.username);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.waitForURL(url('/mirror'));
  t.pass('signed up, confirmed and logged in through the front door');
}

const needsChromium = testNeeding(chromiumMissing ?? (sandboxUrl ? undefined : 'E2E_GITHUB_SANDBOX_URL is not set'));

needsChromium(
  'mirror journey through the edge: connect GitHub → authorize on the stand-in → the bar moves → the repository',
  async (t) => {
    t.timeout(300_000);
    const context = await (await sharedBrowser()).newContext({ viewport: { width: 1280, height: 860 } });
    t.teardown(() => context.close());
    const page = await context.newPage();
    const shot = async (step: string, fullPage = true) => {
      const path = await screenshot(page, `desktop-mirror-edge-${step}`);
      if (!fullPage) await page.screenshot({ path, fullPage: false });
      t.log(path);
    };
    const login = `octo${Date.now().toString(36)}`;
    await signUpAndLogIn(t, page, shot);

    // /account offers the connection; Connect goes to the stand-in's consent page.
    await page.goto(url('/account'));
    await page.getByRole('button', { name: 'Connect GitHub' }).waitFor();
    await shot('02-account-connect');
    await page.getByRole('button', { name: 'Connect GitHub' }).click();
    await page.waitForURL(new RegExp(`^${escape(sandboxUrl)}/login/oauth/authorize`));
    await page.getByLabel('Signed in as').fill(login);
    await shot('03-authorize-on-stand-in');
    await page.getByRole('button', { name: 'Authorize Gatehouse' }).click();
    await page.waitForURL((u) => u.origin === new URL(url('/')).origin && u.pathname !== '/github/callback');
    // Connected from /account, so back on /account, saying so.
    await page.getByText(`GitHub is connected as ${login}.`).waitFor();
    t.is(new URL(page.url()).pathname, '/account');
    await shot('04-back-connected');

    // /mirror: start, and watch the bar the page's script updates from the socket through the edge.
    await page.getByRole('link', { name: 'Mirror Gatehouse’s code' }).click();
    await page.waitForURL(url('/mirror'));
    await page.getByRole('button', { name: 'Start mirroring' }).click();
    await page.waitForURL(url('/mirror'));
    const seen = new Set<number>();
    let done = false;
    const watching = (async () => {
      while (!done) {
        const value = await page.evaluate(() => document.querySelector('progress')?.value).catch(() => undefined);
        if (value !== undefined) seen.add(value);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const live = await page
      .getByText('Updating live.')
      .waitFor({ timeout: 20_000 })
      .then(
        () => true,
        () => false,
      );
    await shot('05-started');
    const midway = await page
      .waitForFunction(
        () => {
          const value = document.querySelector('progress')?.value ?? 0;
          return value > 0 && value < 100;
        },
        undefined,
        { timeout: 60_000, polling: 'raf' },
      )
      .then(
        () => true,
        () => false,
      );
    if (midway) await shot('06-progress');
    const repository = page.getByRole('link', { name: `${login}/gatehouse` });
    await repository.waitFor({ timeout: 240_000 });
    done = true;
    await watching;
    await shot('07-done');
    t.log(`bar values seen: ${[...seen].sort((a, b) => a - b).join(', ')}`);
    t.true(live, 'the page said it was updating live (its socket opened through the edge)');
    t.true(
      [...seen].some((v) => v > 0 && v < 100),
      'the bar stood between 0 and 100 while the mirror ran',
    );
    t.true(seen.has(100), 'the bar reached 100 without a reload');

    // The repository, on the stand-in: its page lists the mirrored files.
    await repository.click();
    await page.waitForURL(new RegExp(`^${escape(sandboxUrl)}/${login}/gatehouse`));
    t.true((await page.textContent('body'))!.includes('package.json'));
    await shot('08-repository-on-stand-in', false);
  },
);
