// The mirror's JSON API takes JSON only, never a 5xx for bad bytes, and a
// client address only from a trusted proxy (all from the service kit).
import { randomUUID } from 'node:crypto';
import test from 'ava';
import { fuzzEndpoints, routesOf } from '@gatehouse/testkit';
import { call, internal, startHarness } from './helpers/harness.js';

const binding = 'b'.repeat(43);
const examples = {
  'POST /v1/internal/oauth/start': { purpose: 'connect', user_id: randomUUID(), binding },
  'POST /v1/internal/oauth/finish': { state: 's'.repeat(43), code: 'abc', binding },
  'POST /v1/github/authorize': { private: false },
  'POST /v1/mirrors': { name: 'gatehouse-mirror', private: false },
};
const fields = ['purpose', 'user_id', 'binding', 'private', 'state', 'code', 'error', 'error_description', 'name'];

test('form-encoded POST to a mirror endpoint → 415 unsupported_media_type, nothing started', async (t) => {
  const h = await startHarness(t);
  const token = h.verifier.issue(randomUUID());
  for (const path of ['/v1/mirrors', '/v1/github/authorize']) {
    const res = await fetch(`${h.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'private=false',
    });
    t.is(res.status, 415, path);
    t.is(((await res.json()) as { code: string }).code, 'unsupported_media_type');
  }
  t.deepEqual((await call(`${h.url}/v1/mirrors`, { token })).body.mirrors, []);
});

test('X-Forwarded-For from a peer outside TRUSTED_PROXIES → the mirror logs the peer’s address', async (t) => {
  const h = await startHarness(t, { env: { TRUSTED_PROXIES: '10.0.0.0/8' } });
  await fetch(`${h.url}/v1/mirrors`, { headers: { 'x-forwarded-for': '198.51.100.7' } });
  const line = h.logs.lines().find((l) => l.msg === 'request' && l.path === '/v1/mirrors');
  t.is(line?.ip, '127.0.0.1');
});

test('malformed bodies, content types, queries and path parameters at every mirror endpoint → 4xx, never 5xx', async (t) => {
  const h = await startHarness(t);
  const token = h.verifier.issue(randomUUID());
  const basic = `Basic ${Buffer.from(internal).toString('base64')}`;
  const endpoints = routesOf(h.mirror.app);
  t.true(endpoints.length >= 9, `only ${endpoints.length} endpoints found`);
  const failures = await fuzzEndpoints({
    base: h.url,
    endpoints,
    fields,
    examples,
    headersFor: ({ path }) => ({ authorization: path.includes('/internal/') ? basic : `Bearer ${token}` }),
    runs: 200,
  });
  t.deepEqual(failures, []);
});
