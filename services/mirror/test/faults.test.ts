import test from 'ava';
import { sourceTreeAt } from '../src/index.js';
import { connect } from './helpers/flows.js';
import { call, startHarness } from './helpers/harness.js';
import { drain, job, startMirror } from './helpers/jobs.js';
import { cloneBare, fixtureCheckout, gitIn } from './helpers/source.js';

const boot = async (t: Parameters<typeof startHarness>[0]) => {
  const h = await startHarness(t, { source: sourceTreeAt(fixtureCheckout(t)) });
  const { token } = await connect(h, 'u1', 'octo');
  return { h, token };
};

test('GitHub 5xx beyond the client retries → waiting with backoff, then succeeds once GitHub recovers', async (t) => {
  const { h, token } = await boot(t);
  await h.github.fault({ kind: 'status', status: 502, times: 3, method: 'GET', path: '/api/v3/user' });
  const id = await startMirror(h, token);
  await drain(h.mirror);
  const waiting = await job(h, token, id);
  t.is(waiting.status, 'waiting');
  t.truthy(waiting.waiting_until);
  const wait = Date.parse(waiting.waiting_until!) - h.clock.now().getTime();
  t.true(wait > 0 && wait <= 5 * 60_000, `bounded backoff (${wait} ms)`);
  // However many rounds the client's own retries took, each wait is bounded and the job ends well.
  for (let round = 0; round < 5 && (await job(h, token, id)).status === 'waiting'; round += 1) {
    const until = Date.parse((await job(h, token, id)).waiting_until!) - h.clock.now().getTime();
    t.true(until <= 5 * 60_000);
    h.clock.advance(until);
    await drain(h.mirror);
  }
  t.is((await job(h, token, id)).status, 'succeeded');
});

test('primary rate limit → waiting until x-ratelimit-reset, then succeeds', async (t) => {
  const { h, token } = await boot(t);
  await h.github.fault({ kind: 'primary_rate_limit', times: 1, method: 'GET', path: '/api/v3/user' });
  const id = await startMirror(h, token);
  await drain(h.mirror);
  const waiting = await job(h, token, id);
  t.is(waiting.status, 'waiting');
  t.regex(waiting.message, /Waiting for GitHub until/);
  const until = Date.parse(waiting.waiting_until!);
  t.true(until - h.clock.now().getTime() >= 50_000);
  h.clock.advance(30_000);
  await drain(h.mirror);
  t.is((await job(h, token, id)).status, 'waiting', 'not retried before the reset');
  h.clock.advance(until - h.clock.now().getTime());
  await drain(h.mirror);
  t.is((await job(h, token, id)).status, 'succeeded');
});

test('secondary rate limit → honours retry-after, and waits ≥ 60 s without it', async (t) => {
  const { h, token } = await boot(t);
  await h.github.fault({ kind: 'secondary_rate_limit', times: 1, method: 'GET', path: '/api/v3/user', retry_after: 7 });
  const id = await startMirror(h, token);
  await drain(h.mirror);
  const first = await job(h, token, id);
  t.is(first.status, 'waiting');
  t.is(Date.parse(first.waiting_until!) - h.clock.now().getTime(), 7000);
  await h.github.fault({ kind: 'secondary_rate_limit', times: 1, method: 'GET', path: '/api/v3/user', status: 429 });
  h.clock.advance(7000);
  await drain(h.mirror);
  const second = await job(h, token, id);
  t.is(second.status, 'waiting');
  t.true(Date.parse(second.waiting_until!) - h.clock.now().getTime() >= 60_000);
  h.clock.advance(Date.parse(second.waiting_until!) - h.clock.now().getTime());
  await drain(h.mirror);
  t.is((await job(h, token, id)).status, 'succeeded');
});

test('401 from GitHub → failed github_reconnect_required, connection marked broken, no retry', async (t) => {
  const { h, token } = await boot(t);
  await h.github.fault({ kind: 'revoked_token', times: 1, method: 'GET', path: '/api/v3/user' });
  const id = await startMirror(h, token);
  await drain(h.mirror);
  const failed = await job(h, token, id);
  t.is(failed.status, 'failed');
  t.is(failed.error?.code, 'github_reconnect_required');
  const connection = await call(`${h.url}/v1/github/connection`, { token });
  t.is(connection.body.broken, true);
  const again = await call(`${h.url}/v1/mirrors`, { method: 'POST', token, json: {} });
  t.is(again.status, 409);
  t.is(again.body.code, 'github_reconnect_required');
});

test('slow GitHub beyond the timeout → the GET is retried and the mirror succeeds', async (t) => {
  const { h, token } = await boot(t);
  await h.github.fault({ kind: 'slow', times: 1, method: 'GET', path: '/api/v3/user', delay_ms: 9000 });
  const id = await startMirror(h, token);
  await drain(h.mirror);
  t.is((await job(h, token, id)).status, 'succeeded');
});

test('create answer lost → no second POST blind; the GET finds the repository and one repository exists', async (t) => {
  const { h, token } = await boot(t);
  await h.github.fault({ kind: 'lost_response', times: 1, method: 'POST', path: '/api/v3/user/repos' });
  const id = await startMirror(h, token);
  await drain(h.mirror);
  const waiting = await job(h, token, id);
  t.is(waiting.status, 'waiting');
  h.clock.advance(Date.parse(waiting.waiting_until!) - h.clock.now().getTime());
  await drain(h.mirror);
  t.is((await job(h, token, id)).status, 'succeeded');
  const repos = await call(`${h.url}/v1/github/repos`, { token });
  t.deepEqual(
    (repos.body.repositories as { name: string }[]).map((r) => r.name),
    ['gatehouse'],
  );
});

test('worker killed mid-push → another worker resumes at push after the lease, repository correct, still one', async (t) => {
  const { h, token } = await boot(t);
  await h.github.fault({
    kind: 'slow',
    times: 1,
    method: 'POST',
    path: '/octo/gatehouse.git/git-receive-pack',
    delay_ms: 3000,
  });
  const id = await startMirror(h, token);
  const running = drain(h.mirror);
  for (let i = 0; i < 600 && (await job(h, token, id)).stage !== 'push'; i += 1)
    await new Promise((r) => setTimeout(r, 50));
  t.is((await job(h, token, id)).stage, 'push');
  await new Promise((r) => setTimeout(r, 300));
  await h.mirror.worker!.kill();
  await running;
  t.is((await job(h, token, id)).status, 'running', 'the dead worker left the job as it was');
  const replica = await h.replica('worker-2');
  t.is(await replica.worker!.drain(), 0, 'the lease still holds');
  h.clock.advance(61_000);
  await replica.worker!.drain();
  const done = await job(h, token, id);
  t.is(done.status, 'succeeded');
  const uses = (await call(`${h.url}/v1/github/connection`, { token })).body.uses as { endpoint: string }[];
  t.is(uses.filter((u) => u.endpoint === 'POST /user/repos').length, 1, 'create not repeated on resume');
  const clone = await cloneBare(t, `${h.github.url}/octo/gatehouse.git`);
  t.is(gitIn(clone, 'rev-list', '--count', 'HEAD').trim(), '1');
  gitIn(clone, 'fsck', '--strict');
});
