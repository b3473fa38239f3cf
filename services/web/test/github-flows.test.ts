// Sign in with GitHub, connect, disconnect and mirror, through web's pages
// against the real auth service, the real mirror service and the GitHub
// stand-in (real OAuth, real git), all on real Postgres.
import { testNeeding } from '@gatehouse/testkit';
import { WebSocket } from 'ws';
import type { Browser, Page } from './helpers/browser.js';
import { textOf } from './helpers/browser.js';
import { githubStackMissing, startGithubStack, type GithubStack } from './helpers/github-stack.js';
import { confirmedPerson, loggedIn } from './helpers/stack.js';

const stackTest = testNeeding(githubStackMissing);

let loginCounter = 0;
const newLogin = () => `octo-${process.pid}-${(loginCounter += 1)}`;

/** The person approves on the stand-in (its test hook stands in for the consent page), granting `scope`. */
async function approve(stack: GithubStack, authorizeUrl: string, login: string, scope?: string) {
  const q = new URL(authorizeUrl).searchParams;
  const res = await stack.github.admin('/oauth/authorize', {
    client_id: q.get('client_id'),
    login,
    scope: scope ?? q.get('scope') ?? '',
    redirect_uri: q.get('redirect_uri'),
    state: q.get('state'),
    code_challenge: q.get('code_challenge'),
  });
  if (res.status !== 200) throw new Error(`approve failed: ${JSON.stringify(res.body)}`);
  return res.body as { code: string; state: string };
}

/** Presses a GitHub button (a POST from the current page) and returns where web sent the browser. */
async function press(browser: Browser, path: string, form: Record<string, string> = {}): Promise<string> {
  const res = await browser.post(path, form);
  if (res.status !== 303 || !res.location) throw new Error(`${path}: ${res.status} ${textOf(res.html).slice(0, 200)}`);
  return res.location;
}

async function signInWithGithub(stack: GithubStack, browser: Browser, login: string): Promise<Page> {
  await browser.get('/login');
  const { code, state } = await approve(stack, await press(browser, '/login/github'), login);
  return browser.get(`/github/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`);
}

const userCount = async (stack: GithubStack) =>
  (await stack.auth.deps.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users')).rows[0]!.n;

stackTest(
  'sign in with GitHub the first time → an account named after the login, signed in, no email; again → the same account',
  async (t) => {
    const stack = await startGithubStack(t);
    const login = newLogin();
    const browser = stack.browser();
    const first = await signInWithGithub(stack, browser, login);
    t.is(first.status, 303);
    t.is(first.location, '/account');
    const account = await browser.follow(first);
    t.regex(textOf(account.html), new RegExp(`Welcome! Your Gatehouse account ${login} was created from GitHub`));
    t.regex(textOf(account.html), /Email None yet: you signed up with GitHub/);
    t.notRegex(account.html, /Change password/);
    t.is(await userCount(stack), 1);

    await browser.post('/logout', {});
    const other = stack.browser();
    const again = await other.follow(await signInWithGithub(stack, other, login));
    t.regex(textOf(again.html), new RegExp(`Signed in with GitHub as ${login}`));
    t.regex(textOf(again.html), new RegExp(`Username ${login}`));
    t.is(await userCount(stack), 1, 'no second account');
  },
);

stackTest(
  'sign in with a GitHub login equal to an existing username → a separate, suffixed account; the existing one is untouched',
  async (t) => {
    const stack = await startGithubStack(t);
    const person = await confirmedPerson(stack);
    const browser = stack.browser();
    const account = await browser.follow(await signInWithGithub(stack, browser, person.username));
    t.regex(textOf(account.html), new RegExp(`Username ${person.username}-2`));
    t.notRegex(textOf(account.html), new RegExp(person.email));
    await t.notThrowsAsync(loggedIn(stack, person), 'the password account still logs in as before');
  },
);

stackTest(
  'callback with error=access_denied → 400 "GitHub access wasn’t granted", Try again; no account created',
  async (t) => {
    const stack = await startGithubStack(t);
    const browser = stack.browser();
    await browser.get('/login');
    const authorize = new URL(await press(browser, '/login/github'));
    const state = authorize.searchParams.get('state')!;
    const page = await browser.get(
      `/github/callback?error=access_denied&error_description=denied&state=${encodeURIComponent(state)}`,
    );
    t.is(page.status, 400);
    t.regex(textOf(page.html), /GitHub access wasn’t granted/);
    t.regex(page.html, /action="\/login\/github"/);
    t.is(await userCount(stack), 0);
    // The state is spent: "Try again" starts afresh, and a new sign-in works.
    const retry = await browser.post('/login/github', {});
    t.is(retry.status, 303);
  },
);

stackTest(
  'a replayed callback → 400 "link has expired"; a callback with someone else\'s state → 400, nothing exchanged',
  async (t) => {
    const stack = await startGithubStack(t);
    const victim = stack.browser();
    await victim.get('/login');
    const { code, state } = await approve(stack, await press(victim, '/login/github'), newLogin());
    const callback = `/github/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`;

    // An attacker's browser with its own flow started, fed the victim's code and state (login CSRF / injection).
    const attacker = stack.browser();
    await attacker.get('/login');
    await press(attacker, '/login/github');
    const foreign = await attacker.get(callback);
    t.is(foreign.status, 400);
    t.regex(textOf(foreign.html), /That GitHub link has expired/);
    t.is(await userCount(stack), 0);

    // The mirror spent that state on the attacker's attempt, so even the victim's browser is refused now.
    const replay = await victim.get(callback);
    t.is(replay.status, 400);
    t.is(await userCount(stack), 0);
  },
);

stackTest(
  'connect with "private mirror" → GitHub is asked for repo; granted only public_repo → 403 page offering to ask again',
  async (t) => {
    const stack = await startGithubStack(t);
    const person = await confirmedPerson(stack);
    const browser = await loggedIn(stack, person);
    const authorize = await press(browser, '/account/github/connect', { private: 'yes' });
    t.is(new URL(authorize).origin, stack.github.url);
    t.is(new URL(authorize).searchParams.get('scope'), 'repo');
    const { code, state } = await approve(stack, authorize, newLogin(), 'public_repo');
    const page = await browser.get(
      `/github/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`,
    );
    t.is(page.status, 403);
    t.regex(textOf(page.html), /GitHub granted less access than needed/);
    t.regex(page.html, /action="\/account\/github\/connect"[\s\S]*name="private" value="yes"[\s\S]*Ask GitHub again/);
  },
);

async function connect(stack: GithubStack, browser: Browser, login: string, next?: string) {
  await browser.get('/account');
  const authorize = await press(browser, '/account/github/connect', next ? { next } : {});
  if (new URL(authorize).searchParams.get('scope') !== 'public_repo') throw new Error(`connect asked for ${authorize}`);
  const { code, state } = await approve(stack, authorize, login);
  return browser.get(`/github/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`);
}

stackTest(
  'connect from /account → GitHub section shows the login and scope; disconnect → the section offers to connect again',
  async (t) => {
    const stack = await startGithubStack(t);
    const person = await confirmedPerson(stack);
    const browser = await loggedIn(stack, person);
    const login = newLogin();
    const done = await connect(stack, browser, login);
    t.is(done.status, 303);
    t.is(done.location, '/account#github');
    const account = await browser.follow(done);
    const text = textOf(account.html);
    t.regex(text, new RegExp(`GitHub is connected as ${login}`));
    t.regex(text, new RegExp(`Account ${login} Connected`));
    t.regex(text, /Access Public repositories public_repo/);
    t.regex(text, /What your GitHub token was used for/);
    t.regex(text, /Disconnect GitHub/);
    // The connect flow also links GitHub for signing in: the stand-in login now opens this account.
    const viaGithub = stack.browser();
    const signedIn = await viaGithub.follow(await signInWithGithub(stack, viaGithub, login));
    t.regex(textOf(signedIn.html), new RegExp(`Username ${person.username}`));

    const gone = await browser.follow(await browser.post('/account/github/disconnect', {}));
    t.regex(textOf(gone.html), /GitHub is disconnected/);
    t.regex(textOf(gone.html), /Connect GitHub/);
    t.notRegex(textOf(gone.html), new RegExp(`Account ${login}`));
  },
);

stackTest(
  '/mirror: connect from the page, start, watch over the bridged socket, then the page links the repository on the stand-in',
  async (t) => {
    const stack = await startGithubStack(t);
    const person = await confirmedPerson(stack);
    const browser = await loggedIn(stack, person);
    const first = await browser.get('/mirror');
    t.regex(textOf(first.html), /First, connect GitHub/);
    const login = newLogin();
    const connected = await connect(stack, browser, login, '/mirror');
    t.is(connected.location, '/mirror');
    const ready = await browser.follow(connected);
    t.regex(textOf(ready.html), /Start mirroring/);

    const started = await browser.post('/mirror', {});
    t.is(started.status, 303);
    const running = await browser.get('/mirror');
    const id = /data-mirror-live="([^"]+)"/.exec(running.html)?.[1];
    t.truthy(id, 'a queued job is live on the page');
    t.regex(running.html, /<noscript><meta http-equiv="refresh" content="5"><\/noscript>/);
    t.regex(running.html, /<progress id="mirror-progress" max="100" value="\d+">/);

    // The browser's socket: session cookie only, same origin; web bridges it with the access token.
    const messages: { status: string; percent: number }[] = [];
    const socket = new WebSocket(`${stack.url.replace(/^http/, 'ws')}/mirror/events?id=${id}`, {
      headers: { origin: stack.url, cookie: browser.cookieHeader() },
    });
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    socket.on('message', (data) => messages.push(JSON.parse(String(data)) as { status: string; percent: number }));
    await new Promise((resolve) => socket.once('open', resolve));
    await stack.drain();
    t.is(await closed, 1000);
    t.true(messages.length >= 2, `progress messages arrived (${messages.length})`);
    t.is(messages.at(-1)?.status, 'succeeded', JSON.stringify(messages.at(-1)));
    t.true(
      messages.some((m) => m.percent > 0 && m.percent < 100),
      'the bar moved through the middle',
    );
    t.false(
      messages.some((m) => JSON.stringify(m).includes(browser.jar.get('gatehouse')!)),
      'nothing of the session in the messages',
    );

    const finished = await browser.get('/mirror');
    const link = /<a class="break" href="([^"]+)" rel="noopener">([^<]+)<\/a>/.exec(finished.html);
    t.truthy(link, textOf(finished.html));
    t.true(link![1]!.startsWith(`${stack.github.url}/${login}/`));
    t.regex(textOf(finished.html), /Done/);
    t.regex(textOf(finished.html), /Mirror again/);
    const repo = await fetch(link![1]!);
    t.is(repo.status, 200, 'the repository page exists on the stand-in');
    // Every use of the token is on /account, with purpose, endpoint and request id.
    const account = textOf((await browser.get('/account')).html);
    t.regex(account, /When \(UTC\) Purpose GitHub endpoint Request id/);
    t.regex(account, /\/user\/repos/);
  },
);

stackTest('/mirror/events: logging out in the page closes the bridged socket with 4401 within a second', async (t) => {
  const stack = await startGithubStack(t);
  const person = await confirmedPerson(stack);
  const browser = await loggedIn(stack, person);
  await browser.follow(await connect(stack, browser, newLogin(), '/mirror'));
  await browser.post('/mirror', {});
  const running = await browser.get('/mirror');
  const id = /data-mirror-live="([^"]+)"/.exec(running.html)![1];
  const socket = new WebSocket(`${stack.url.replace(/^http/, 'ws')}/mirror/events?id=${id}`, {
    headers: { origin: stack.url, cookie: browser.cookieHeader() },
  });
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await new Promise((resolve) => socket.once('open', resolve));
  await browser.post('/logout', {});
  const at = Date.now();
  t.is(await closed, 4401);
  t.true(Date.now() - at < 1000, `closed after ${Date.now() - at} ms`);
});
