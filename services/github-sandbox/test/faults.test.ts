import test from 'ava';
import { admin, bearer, call, startSandbox, tokenFor, type Sandbox } from './helpers/sandbox.js';

const fault = (s: Sandbox, json: Record<string, unknown>) =>
  call(`${s.url}/_sandbox/faults`, { method: 'POST', headers: admin, json });

test('status fault ×2 on GET /user → two 502s, then the real answer', async (t) => {
  const s = await startSandbox(t);
  const token = await tokenFor(s, 'f1', 'repo');
  t.is((await fault(s, { kind: 'status', status: 502, times: 2, method: 'GET', path: '/api/v3/user' })).status, 201);
  t.is((await call(`${s.api}/user`, { headers: bearer(token) })).status, 502);
  t.is((await call(`${s.api}/user`, { headers: bearer(token) })).status, 502);
  t.is((await call(`${s.api}/user`, { headers: bearer(token) })).status, 200);
});

test('a fault for POST leaves GET alone; its path prefix must match', async (t) => {
  const s = await startSandbox(t);
  const token = await tokenFor(s, 'f2', 'repo');
  await fault(s, { kind: 'status', status: 500, method: 'POST', path: '/api/v3/user/repos' });
  t.is((await call(`${s.api}/user/repos`, { headers: bearer(token) })).status, 200);
  t.is((await call(`${s.api}/user`, { headers: bearer(token) })).status, 200);
  t.is(
    (await call(`${s.api}/user/repos`, { method: 'POST', headers: bearer(token), json: { name: 'x' } })).status,
    500,
  );
  t.deepEqual((await call(`${s.url}/_sandbox/faults`, { headers: admin })).body, { faults: [] });
});

test('primary rate limit fault → 403, x-ratelimit-remaining 0 and a reset in the future', async (t) => {
  const s = await startSandbox(t);
  const token = await tokenFor(s, 'f3', 'repo');
  await fault(s, { kind: 'primary_rate_limit', path: '/api/v3/' });
  const res = await call(`${s.api}/user`, { headers: bearer(token) });
  t.is(res.status, 403);
  t.is(res.headers.get('x-ratelimit-remaining'), '0');
  t.true(Number(res.headers.get('x-ratelimit-reset')) > Date.now() / 1000);
  t.regex((res.body as { message: string }).message, /^API rate limit exceeded/);
});

test('secondary rate limit fault → 429 with retry-after, or 403 without it', async (t) => {
  const s = await startSandbox(t);
  const token = await tokenFor(s, 'f4', 'repo');
  await fault(s, { kind: 'secondary_rate_limit', status: 429, retry_after: 7, path: '/api/v3/user' });
  const first = await call(`${s.api}/user`, { headers: bearer(token) });
  t.is(first.status, 429);
  t.is(first.headers.get('retry-after'), '7');
  t.regex((first.body as { message: string }).message, /^You have exceeded a secondary rate limit/);
  await fault(s, { kind: 'secondary_rate_limit', path: '/api/v3/user' });
  const second = await call(`${s.api}/user`, { headers: bearer(token) });
  t.is(second.status, 403);
  t.is(second.headers.get('retry-after'), null);
});

test('slow fault → the answer comes after the delay', async (t) => {
  const s = await startSandbox(t);
  await fault(s, { kind: 'slow', delay_ms: 400, path: '/api/v3/rate_limit' });
  const started = Date.now();
  t.is((await call(`${s.api}/rate_limit`)).status, 200);
  t.true(Date.now() - started >= 400);
});

test('revoked token fault → 401 Bad credentials once, though the token is fine', async (t) => {
  const s = await startSandbox(t);
  const token = await tokenFor(s, 'f6', 'repo');
  await fault(s, { kind: 'revoked_token', path: '/api/v3/' });
  const res = await call(`${s.api}/user`, { headers: bearer(token) });
  t.is(res.status, 401);
  t.like(res.body, { message: 'Bad credentials' });
  t.is((await call(`${s.api}/user`, { headers: bearer(token) })).status, 200);
});

test('lost response on create → 502, yet the repository exists; retrying gives the 422', async (t) => {
  const s = await startSandbox(t);
  const token = await tokenFor(s, 'f7', 'repo');
  await fault(s, { kind: 'lost_response', method: 'POST', path: '/api/v3/user/repos' });
  const lost = await call(`${s.api}/user/repos`, { method: 'POST', headers: bearer(token), json: { name: 'ghost' } });
  t.is(lost.status, 502);
  t.is(lost.headers.get('location'), null);
  t.is((await call(`${s.api}/repos/f7/ghost`, { headers: bearer(token) })).status, 200);
  t.is(
    (await call(`${s.api}/user/repos`, { method: 'POST', headers: bearer(token), json: { name: 'ghost' } })).status,
    422,
  );
});

test('fault on git paths → git smart HTTP answers it too', async (t) => {
  const s = await startSandbox(t);
  const token = await tokenFor(s, 'f8', 'repo');
  await call(`${s.api}/user/repos`, { method: 'POST', headers: bearer(token), json: { name: 'g', auto_init: true } });
  await fault(s, { kind: 'status', status: 500, path: '/f8/g.git/' });
  t.is((await call(`${s.url}/f8/g.git/info/refs?service=git-upload-pack`)).status, 500);
  t.is((await call(`${s.url}/f8/g.git/info/refs?service=git-upload-pack`)).status, 200);
});

test('bad fault request → 400 validation_failed naming the field', async (t) => {
  const s = await startSandbox(t);
  const res = await fault(s, { kind: 'earthquake' });
  t.is(res.status, 400);
  t.like(res.body, { code: 'validation_failed' });
});
