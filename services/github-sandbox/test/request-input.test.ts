// The stand-in's REST API takes JSON only (as GitHub's does), and no request
// it routes is answered with a 5xx for bad bytes (unless a fault says so).
import test from 'ava';
import { fuzzEndpoints, routesOf } from '@gatehouse/testkit';
import { admin, call, client, startSandbox, tokenFor } from './helpers/sandbox.js';

const login = 'octo-fuzz';
const examples = {
  'POST /api/v3/user/repos': { name: 'fuzzed-repo', description: 'A mirror', private: false },
  'DELETE /api/v3/applications/:client_id/token': { access_token: 'gho_x' },
  'DELETE /api/v3/applications/:client_id/grant': { access_token: 'gho_x' },
  'POST /login/oauth/authorize': {
    client_id: client.client_id,
    redirect_uri: client.callback_url,
    scope: 'public_repo',
    state: 's',
    decision: 'authorize',
    user: login,
  },
  'POST /login/oauth/access_token': {
    client_id: client.client_id,
    client_secret: client.client_secret,
    code: 'c'.repeat(20),
    redirect_uri: client.callback_url,
    code_verifier: 'v'.repeat(43),
  },
  'POST /_sandbox/users': { login },
  'POST /_sandbox/oauth/authorize': { client_id: client.client_id, login, scope: 'public_repo' },
  'POST /_sandbox/oauth/tokens': { client_id: client.client_id, login, scope: 'public_repo' },
};
// No "kind" and no example for POST /_sandbox/faults: a valid fault would make later answers 5xx on purpose.
const fields = [
  'name',
  'description',
  'private',
  'auto_init',
  'client_id',
  'client_secret',
  'code',
  'redirect_uri',
  'code_verifier',
  'code_challenge',
  'state',
  'scope',
  'decision',
  'user',
  'granted',
  'login',
  'access_token',
  'times',
  'path',
];

test('form-encoded POST to the REST API → 415; the OAuth token endpoint still takes its form', async (t) => {
  const sandbox = await startSandbox(t);
  const token = await tokenFor(sandbox, login, 'public_repo');
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const create = await call(`${sandbox.api}/user/repos`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, ...form },
    body: 'name=from-a-form',
  });
  t.is(create.status, 415);
  const exchange = await call(`${sandbox.url}/login/oauth/access_token`, {
    method: 'POST',
    headers: form,
    body: new URLSearchParams({ client_id: client.client_id, code: 'nope' }).toString(),
  });
  t.is(exchange.status, 200);
  t.regex(exchange.text, /error=/);
});

test('malformed bodies, content types, queries and path parameters at every stand-in endpoint → 4xx, never 5xx', async (t) => {
  const sandbox = await startSandbox(t);
  const token = await tokenFor(sandbox, login, 'repo');
  const basic = `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`;
  const endpoints = routesOf(sandbox.runtime.app);
  t.true(endpoints.length >= 20, `only ${endpoints.length} endpoints found`);
  const failures = await fuzzEndpoints({
    base: sandbox.url,
    endpoints,
    fields,
    examples,
    headersFor: ({ path }) => ({
      'user-agent': 'gatehouse-fuzz',
      authorization: path.startsWith('/_sandbox')
        ? admin.authorization
        : path.includes('/applications/')
          ? basic
          : `Bearer ${token}`,
    }),
    runs: 150,
  });
  t.deepEqual(failures, []);
});
