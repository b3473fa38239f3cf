import test from 'ava';
import { textOf, type Page } from './helpers/browser.js';
import { confirmedPerson, loggedIn, startStack } from './helpers/stack.js';

/** Every visible input has a <label for> naming it; descriptions point at elements that exist. */
function assertAccessibleForm(t: import('ava').ExecutionContext, page: Page) {
  const inputs = [...page.html.matchAll(/<input\b[^>]*>/g)]
    .map((m) => m[0])
    .filter((tag) => !/type="hidden"/.test(tag));
  for (const tag of inputs) {
    if (/aria-hidden="true"/.test(tag)) continue;
    const id = /\bid="([^"]+)"/.exec(tag)?.[1];
    t.truthy(id, `input without id: ${tag}`);
    t.regex(page.html, new RegExp(`<label[^>]*for="${id}"`), `no label for #${id}`);
    const described = /aria-describedby="([^"]+)"/.exec(tag)?.[1];
    for (const ref of described?.split(' ') ?? [])
      t.regex(page.html, new RegExp(`id="${ref}"`), `#${id} describedby missing #${ref}`);
  }
}

function assertPageHeaders(t: import('ava').ExecutionContext, page: Page) {
  const csp = page.headers.get('content-security-policy') ?? '';
  for (const directive of [
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "script-src 'none'",
    "default-src 'none'",
  ]) {
    t.true(csp.includes(directive), `CSP lacks ${directive}`);
  }
  t.false(/unsafe-inline/.test(csp));
  t.is(page.headers.get('x-content-type-options'), 'nosniff');
  t.is(page.headers.get('cache-control'), 'no-store');
  t.is(page.headers.get('x-frame-options'), 'DENY');
  t.truthy(page.headers.get('referrer-policy'));
  t.regex(page.headers.get('content-type') ?? '', /^text\/html/);
  t.false(/<script/i.test(page.html), 'pages carry no script');
  t.regex(page.html, /<main id="main"/);
  t.regex(page.html, /<html lang="en">/);
}

const anonymousPages: [string, number, RegExp][] = [
  ['/', 200, /Sign-in you can read in an afternoon\. .*Sign up .*Log in/],
  ['/signup', 200, /Create your account .*Username .*Email .*Password/],
  ['/login', 200, /Log in .*Username or email .*Password .*Forgot your password\?/],
  ['/forgot-password', 200, /Reset your password .*Email/],
  ['/forgot-password/sent', 200, /Check your inbox/],
  ['/signup/check-email', 200, /Check your inbox .*Send the link again/],
  ['/reset-password?token=abc', 200, /Choose a new password .*New password/],
  ['/reset-password', 400, /This link has expired .*Get a new link/],
  ['/confirm-email', 400, /This link has expired .*Send me a new link/],
];

for (const [path, status, content] of anonymousPages) {
  test(`GET ${path} logged out → ${status}, labelled form fields, security headers`, async (t) => {
    const stack = await startStack(t);
    const page = await stack.browser().get(path);
    t.is(page.status, status);
    t.regex(textOf(page.html), content);
    assertPageHeaders(t, page);
    assertAccessibleForm(t, page);
  });
}

test('GET /account logged in → profile, password form, log out everywhere; all fields labelled', async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const browser = await loggedIn(stack, person);
  const page = await browser.get('/account');
  t.is(page.status, 200);
  const text = textOf(page.html);
  t.regex(text, new RegExp(`Username ${person.username}`));
  t.regex(text, new RegExp(`Email ${person.email} Confirmed`));
  t.regex(text, /Member since \d{1,2} \w+ \d{4}/);
  t.regex(text, /Change password .*Current password .*New password/);
  t.regex(text, /Log out everywhere/);
  t.regex(page.html, /<time datetime="\d{4}-\d\d-\d\dT/);
  assertPageHeaders(t, page);
  assertAccessibleForm(t, page);
});

test('GET / logged in → "Signed in as <username>" and a log out button in the header', async (t) => {
  const stack = await startStack(t);
  const person = await confirmedPerson(stack);
  const browser = await loggedIn(stack, person);
  const home = await browser.get('/');
  t.regex(textOf(home.html), new RegExp(`Signed in as ${person.username}`));
  t.regex(
    home.html,
    /<form class="site-nav__form" method="post" action="\/logout">\s*<input type="hidden" name="_csrf" value="[\w-]{43}">/,
  );
  t.notRegex(textOf(home.html), /Sign up/);
});

test('GET /account logged out → 303 to /login?next=%2Faccount, and the login page carries next', async (t) => {
  const stack = await startStack(t);
  const browser = stack.browser();
  const res = await browser.get('/account');
  t.is(res.status, 303);
  t.is(res.location, '/login?next=%2Faccount');
  const login = await browser.follow(res);
  t.regex(login.html, /<input type="hidden" name="next" value="\/account">/);
});

test('unknown page → friendly 404 page with security headers and nothing internal', async (t) => {
  const stack = await startStack(t);
  const page = await stack.browser().get('/no/such/page');
  t.is(page.status, 404);
  t.regex(textOf(page.html), /Page not found .*Go to the home page/);
  t.notRegex(page.html, /at \w+ \(|node_modules|Error:/);
  assertPageHeaders(t, page);
});

test('PUT /login (a method no page takes) → 405 page', async (t) => {
  const stack = await startStack(t);
  const page = await stack.browser().request('PUT', '/login');
  t.is(page.status, 405);
  t.regex(textOf(page.html), /Not available/);
});

test('pages whose URL holds a token → Referrer-Policy: no-referrer; other pages → strict-origin-when-cross-origin', async (t) => {
  const stack = await startStack(t);
  const browser = stack.browser();
  t.is((await browser.get('/confirm-email?token=abc')).headers.get('referrer-policy'), 'no-referrer');
  t.is((await browser.get('/reset-password?token=abc')).headers.get('referrer-policy'), 'no-referrer');
  t.is((await browser.get('/login')).headers.get('referrer-policy'), 'strict-origin-when-cross-origin');
});

test('stylesheet → fingerprinted /assets/main.<hash>.css, text/css, cached a year as immutable; unknown asset → 404', async (t) => {
  const stack = await startStack(t);
  const browser = stack.browser();
  const home = await browser.get('/');
  const href = /<link rel="stylesheet" href="(\/assets\/main\.[0-9a-f]{12}\.css)">/.exec(home.html)?.[1];
  t.truthy(href);
  const css = await browser.get(href!);
  t.is(css.status, 200);
  t.regex(css.headers.get('content-type') ?? '', /^text\/css/);
  t.is(css.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  t.regex(css.html, /\.field__input/);
  t.is(css.headers.get('set-cookie'), null, 'assets never touch the session');
  const again = await browser.get(href!, { 'if-none-match': css.headers.get('etag')! });
  t.is(again.status, 304);
  t.is((await browser.get('/assets/main.000000000000.css')).status, 404);
});

test('anonymous pages without a form set no cookie; a form page sets one session cookie', async (t) => {
  const stack = await startStack(t);
  const browser = stack.browser();
  t.is((await browser.get('/')).headers.get('set-cookie'), null);
  const login = await browser.get('/login');
  t.is(login.headers.getSetCookie().length, 1);
});

test('/healthz → 200 ok; /readyz → 200 with the session store checked', async (t) => {
  const stack = await startStack(t);
  const health = await fetch(`${stack.url}/healthz`);
  t.is(health.status, 200);
  const ready = await fetch(`${stack.url}/readyz`);
  t.is(ready.status, 200);
  t.deepEqual(await ready.json(), { status: 'ready', checks: { sessions: 'ok' } });
});
