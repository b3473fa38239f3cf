// Every endpoint the auth app mounts, read from its routers, gets a few
// hundred malformed requests; none may be answered with a 5xx.
import test from 'ava';
import { fuzzEndpoints, routesOf } from '@gatehouse/testkit';
import { confirmedAccount, login, serviceSecret, startAuth } from './helpers/harness.js';

const fields = [
  'username',
  'email',
  'password',
  'token',
  'grant_type',
  'refresh_token',
  'scope',
  'current_password',
  'new_password',
  'user_id',
  'github_id',
  'login',
];

const examples = {
  'POST /v1/signup': { username: 'ann', email: 'ann@example.com', password: 'a long passphrase for tests' },
  'POST /v1/token': { grant_type: 'password', username: 'ann', password: 'a long passphrase for tests' },
  'POST /v1/email/confirm': { token: 'x'.repeat(43) },
  'POST /v1/email/resend': { email: 'ann@example.com' },
  'POST /v1/password/forgot': { email: 'ann@example.com' },
  'POST /v1/password/reset': { token: 'x'.repeat(43), password: 'a long passphrase for tests' },
  'POST /v1/password/change': { current_password: 'a long passphrase', new_password: 'another long passphrase' },
  'POST /v1/logout': { scope: 'local' },
  'POST /v1/introspect': { token: 'x'.repeat(43) },
  'POST /v1/internal/github-login': { github_id: 1, login: 'ann', email: 'ann@example.com' },
  'POST /v1/internal/github-link': { github_id: 1, login: 'ann', user_id: '00000000-0000-0000-0000-000000000000' },
};

test('malformed bodies, content types, queries and path parameters at every auth endpoint → 4xx, never 5xx', async (t) => {
  const h = await startAuth(t);
  const { access_token } = await login(h, await confirmedAccount(h));
  const basic = `Basic ${Buffer.from(`web:${serviceSecret}`).toString('base64')}`;
  const endpoints = routesOf(h.runtime.app);
  t.true(endpoints.length >= 12, `only ${endpoints.length} endpoints found`);
  const failures = await fuzzEndpoints({
    base: h.url,
    endpoints,
    fields,
    examples,
    // Past authentication, so the body is what gets judged; the credential each route takes.
    headersFor: ({ path }) => ({
      authorization: /introspect|revocations|internal/.test(path) ? basic : `Bearer ${access_token}`,
    }),
    runs: 200,
  });
  t.deepEqual(failures, []);
  t.false(h.logs.text().includes('"request failed"'), 'no request was logged as failed');
});
