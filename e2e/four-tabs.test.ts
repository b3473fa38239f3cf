// Security case 67 in a real browser: four tabs of one session loading pages
// at the same moment, over and over for 30 s, while every page load refreshes
// the session's tokens (the suite's stack runs with access tokens shorter
// than web's refresh margin). Nobody may be logged out.
import { testNeeding } from '@gatehouse/testkit';
import { confirmedUser, login } from './support/accounts.js';
import { chromiumMissing, launchBrowser, screenshot, url } from './support/index.js';

// web refreshes an access token this long before it expires (signed-in.ts).
const webRefreshMarginSeconds = 30;

testNeeding(chromiumMissing)(
  '4 tabs of one session loading pages together for 30 s → every load signed in, nobody logged out',
  async (t) => {
    t.timeout(120_000);
    const user = await confirmedUser(t, 'tabs');
    const { expires_in } = await login(t, user);
    // `npm run test:e2e` runs 20 s tokens; a stack with longer ones (compose's) still checks that
    // four tabs stay signed in, only without a refresh on every load.
    const refreshing = expires_in < webRefreshMarginSeconds;
    if (!refreshing) t.log(`access tokens live ${expires_in} s here: page loads do not all refresh`);
    const browser = await launchBrowser();
    t.teardown(() => browser.close());
    const context = await browser.newContext({ javaScriptEnabled: false });
    const first = await context.newPage();
    await first.goto(url('/login'));
    await first.getByLabel('Username or email').fill(user.username);
    await first.getByLabel('Password').fill(user.password);
    await first.getByRole('button', { name: 'Log in' }).click();
    await first.waitForURL(/\/account$/);
    const tabs = [first, ...(await Promise.all([1, 2, 3].map(() => context.newPage())))];

    const until = Date.now() + 30_000;
    let rounds = 0;
    while (Date.now() < until) {
      const landed = await Promise.all(
        tabs.map(async (tab) => {
          const response = await tab.goto(url('/account'));
          return { status: response?.status(), path: new URL(tab.url()).pathname };
        }),
      );
      rounds += 1;
      for (const [i, tab] of landed.entries()) {
        if (tab.path !== '/account' || tab.status !== 200) {
          t.log(await screenshot(tabs[i]!, 'four-tabs-logged-out'));
          t.fail(`round ${rounds}, tab ${i + 1}: ${tab.status} at ${tab.path}`);
          return;
        }
      }
    }
    t.log(`${rounds} rounds of 4 simultaneous page loads${refreshing ? ', each refreshing the session’s tokens' : ''}`);
    t.true(rounds >= 10);
    t.true((await tabs[3]!.textContent('main'))!.includes(user.username));
  },
);
