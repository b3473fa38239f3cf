// The GitHub stand-in as the stack runs it: another host, reached through the front door's
// server for it on its own port (E2E_GITHUB_SANDBOX_URL: localhost:3003 locally,
// github.localhost:3003 in compose, both nginx), with Gatehouse's OAuth app registered
// with the callback on the front door.
import test from 'ava';
import { gatehouseClientId, securityHeaders } from '@gatehouse/stack';
import { baseUrl } from './support/index.js';

const sandboxUrl = (process.env.E2E_GITHUB_SANDBOX_URL ?? '').replace(/\/+$/, '');
const callback = `${baseUrl}/github/callback`;

test("the stand-in answers REST under /api/v3 with GitHub's headers", async (t) => {
  const res = await fetch(`${sandboxUrl}/api/v3/rate_limit`, { headers: { 'user-agent': 'gatehouse-e2e' } });
  t.is(res.status, 200);
  t.truthy(res.headers.get('x-github-request-id'));
  t.like(await res.json(), { rate: { limit: 60 } });
});

test("its door adds none of Gatehouse's edge headers: a REST answer has only GitHub's", async (t) => {
  const res = await fetch(`${sandboxUrl}/api/v3/rate_limit`, { headers: { 'user-agent': 'gatehouse-e2e' } });
  t.is(res.status, 200);
  for (const { name } of securityHeaders) t.is(res.headers.get(name), null, name);
  await res.body?.cancel();
});

test("git over its door: a push without credentials → GitHub's 401 asking for Basic", async (t) => {
  const res = await fetch(`${sandboxUrl}/nobody/nothing.git/info/refs?service=git-receive-pack`, {
    headers: { 'user-agent': 'git/2.39' },
  });
  t.is(res.status, 401);
  t.is(res.headers.get('www-authenticate'), 'Basic realm="GitHub"');
  t.regex(await res.text(), /Invalid username or token/);
});

test("Gatehouse's OAuth app is registered: consent page for the front door's /github/callback", async (t) => {
  const query = new URLSearchParams({
    client_id: gatehouseClientId,
    redirect_uri: callback,
    scope: 'public_repo',
    state: 'e2e',
  });
  const res = await fetch(`${sandboxUrl}/login/oauth/authorize?${query}`);
  t.is(res.status, 200);
  const page = await res.text();
  t.regex(page, /Authorize Gatehouse/);
  t.true(page.includes(callback));
});

test('a redirect_uri outside the registered callback → sent back to it with redirect_uri_mismatch', async (t) => {
  const query = new URLSearchParams({
    client_id: gatehouseClientId,
    redirect_uri: 'http://elsewhere.test/cb',
    state: 's',
  });
  const res = await fetch(`${sandboxUrl}/login/oauth/authorize?${query}`, { redirect: 'manual' });
  t.is(res.status, 302);
  const location = new URL(res.headers.get('location')!);
  t.is(`${location.origin}${location.pathname}`, callback);
  t.is(location.searchParams.get('error'), 'redirect_uri_mismatch');
});
