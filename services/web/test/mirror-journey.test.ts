/// <reference lib="dom" />
// Journey (c), in a real browser (headless Chromium, JavaScript on): connect
// GitHub from /mirror → authorize on the stand-in's consent page → watch the
// progress bar move over the bridged WebSocket → open the mirrored
// repository's page on the stand-in. Also the login page with its GitHub
// button, /account's GitHub section and a failure page at 1280 and 360 px.
// Services run in-process (auth, web, mirror, stand-in); the nginx run of the
// same journey needs the stack's service list to include mirror and stand-in.
import { accessSync, constants, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { chromium, type Browser, type Page } from 'playwright-core';
import { testNeeding } from '@gatehouse/testkit';
import { githubStackMissing, startGithubStack } from './helpers/github-stack.js';
import { confirmedPerson } from './helpers/stack.js';

const chromiumPath = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
const chromiumMissing = (() => {
  try {
    accessSync(chromiumPath, constants.X_OK);
    return undefined;
  } catch {
    return `no Chromium at ${chromiumPath} (apt-get install chromium, or set E2E_CHROMIUM)`;
  }
})();

const viewports = { desktop: { width: 1280, height: 860 }, mobile: { width: 360, height: 740 } } as const;
const shots = fileURLToPath(new URL('../../../test-results/e2e/', import.meta.url));

async function shot(t: ExecutionContext, page: Page, name: string, fullPage = true): Promise<void> {
  mkdirSync(shots, { recursive: true });
  const path = join(shots, `${name}.png`);
  await page.screenshot({ path, fullPage });
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  t.is(overflow, 0, `${name} scrolls sideways by ${overflow}px`);
  t.log(path);
}

let browser: Promise<Browser> | undefined;
const sharedBrowser = () =>
  (browser ??= chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  }));
test.after.always(async () => {
  await (await browser)?.close();
});
const needsChromium = testNeeding(chromiumMissing ?? githubStackMissing);

needsChromium(
  'mirror journey: connect GitHub → authorize on the stand-in → the bar moves live → the repository on the stand-in',
  async (t) => {
    t.timeout(240_000);
    const stack = await startGithubStack(t);
    const person = await confirmedPerson(stack);
    const context = await (await sharedBrowser()).newContext({ viewport: viewports.desktop });
    t.teardown(() => context.close());
    const page = await context.newPage();
    const login = `mona-${process.pid}`;

    // Logged out, /mirror sends to the login page, which says why and offers GitHub.
    await page.goto(`${stack.url}/mirror`);
    await page.getByText('Log in to mirror Gatehouse’s code to your GitHub account.').waitFor();
    await page.getByRole('button', { name: 'Sign in with GitHub' }).waitFor();
    await shot(t, page, 'desktop-github-login');
    await page.getByLabel('Username or email').fill(person.username);
    await page.getByLabel('Password').fill(person.password);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.waitForURL(`${stack.url}/mirror`);
    await page.getByRole('heading', { name: 'First, connect GitHub' }).waitFor();
    await shot(t, page, 'desktop-mirror-01-connect');

    // Connect: GitHub's (the stand-in's) consent page, then back to /mirror.
    await page.getByRole('button', { name: 'Connect GitHub' }).click();
    await page.waitForURL(new RegExp(`^${stack.github.url}/login/oauth/authorize`));
    await page.getByLabel('Signed in as').fill(login);
    await shot(t, page, 'desktop-mirror-02-authorize-on-stand-in');
    await page.getByRole('button', { name: 'Authorize Gatehouse' }).click();
    await page.waitForURL(`${stack.url}/mirror`);
    await page.getByText(`GitHub is connected as ${login}.`).waitFor();
    await shot(t, page, 'desktop-mirror-03-connected');

    // Start, and watch: the script's socket reports each change; record every value the bar shows.
    await page.getByRole('button', { name: 'Start mirroring' }).click();
    await page.waitForURL(`${stack.url}/mirror`);
    await page.getByText('Updating live.').waitFor();
    await shot(t, page, 'desktop-mirror-04-started');
    // Every value the bar shows while the mirror runs, read from the page as a person would see it.
    const seen = new Set<number>();
    let done = false;
    const watching = (async () => {
      while (!done) {
        const value = await page.evaluate(() => document.querySelector('progress')?.value).catch(() => undefined);
        if (value !== undefined) seen.add(value);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const draining = stack.drain();
    const midway = await page
      .waitForFunction(
        () => {
          const value = document.querySelector('progress')?.value ?? 0;
          return value > 10 && value < 100;
        },
        undefined,
        { timeout: 20_000, polling: 'raf' },
      )
      .then(
        () => true,
        () => false,
      );
    if (midway) await shot(t, page, 'desktop-mirror-05-progress');
    await draining;
    await page.getByRole('link', { name: `${login}/gatehouse` }).waitFor({ timeout: 30_000 });
    done = true;
    await watching;
    await shot(t, page, 'desktop-mirror-06-done');
    t.log(`bar values seen: ${[...seen].join(', ')}`);
    t.true(
      [...seen].some((v) => v > 0 && v < 100),
      'the bar stood between 0 and 100 while the mirror ran',
    );
    t.true(seen.has(100));

    // The repository, on the stand-in.
    await page.getByRole('link', { name: `${login}/gatehouse` }).click();
    await page.waitForURL(new RegExp(`^${stack.github.url}/${login}/gatehouse`));
    // The stand-in lists every file of the tree: the first screenful is the part to look at.
    await shot(t, page, 'desktop-mirror-07-repository-on-stand-in', false);

    // /account's GitHub section with the token-use log, at both widths.
    await page.goto(`${stack.url}/account#github`);
    await page.getByRole('heading', { name: 'What your GitHub token was used for' }).waitFor();
    t.true((await page.textContent('#github'))!.includes('/user/repos'));
    await shot(t, page, 'desktop-account-github');
    await page.setViewportSize(viewports.mobile);
    await shot(t, page, 'mobile-account-github');
    await page.goto(`${stack.url}/mirror`);
    await shot(t, page, 'mobile-mirror-done');
  },
);

needsChromium('login with the GitHub button, and a GitHub failure page, at 1280 and 360 px', async (t) => {
  const stack = await startGithubStack(t);
  for (const [kind, viewport] of Object.entries(viewports)) {
    const context = await (await sharedBrowser()).newContext({ viewport, javaScriptEnabled: false });
    t.teardown(() => context.close());
    const page = await context.newPage();
    await page.goto(`${stack.url}/login`);
    await page.getByRole('button', { name: 'Sign in with GitHub' }).waitFor();
    if (kind === 'mobile') await shot(t, page, 'mobile-github-login');
    await page.getByRole('button', { name: 'Sign in with GitHub' }).click();
    await page.waitForURL(new RegExp(`^${stack.github.url}/login/oauth/authorize`));
    // The stand-in's login field is `required`, and its Cancel button does not skip that check.
    await page.getByLabel('Signed in as').fill('someone');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('heading', { name: 'GitHub access wasn’t granted' }).waitFor();
    await shot(t, page, `${kind}-github-failure-denied`);
    await page.goto(`${stack.url}/github/callback?code=x&state=y`);
    await page.getByRole('heading', { name: 'That GitHub link has expired' }).waitFor();
    await shot(t, page, `${kind}-github-failure-state`);
  }
});
