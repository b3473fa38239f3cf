import test from 'ava';
import { WebSocket } from 'ws';
import { sourceTreeAt } from '../src/index.js';
import { connect } from './helpers/flows.js';
import { startHarness } from './helpers/harness.js';
import { drain, startMirror } from './helpers/jobs.js';
import { fixtureCheckout } from './helpers/source.js';

const open = (url: string, headers: Record<string, string> = {}) =>
  new Promise<{ ws: WebSocket; status?: number }>((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => resolve({ ws, status: res.statusCode }));
    ws.once('error', () => resolve({ ws, status: 0 }));
  });

test('socket without a token, with a revoked token, or for another person’s job → refused before the upgrade', async (t) => {
  const h = await startHarness(t, { source: sourceTreeAt(fixtureCheckout(t)) });
  const { token } = await connect(h, 'u1', 'octo');
  const id = await startMirror(h, token);
  const ws = h.url.replace('http', 'ws');
  t.is((await open(`${ws}/v1/mirrors/${id}/events`)).status, 401);
  const revoked = h.verifier.issue('u1');
  h.verifier.revoke(revoked);
  t.is((await open(`${ws}/v1/mirrors/${id}/events?token=${revoked}`)).status, 401);
  t.is(
    (await open(`${ws}/v1/mirrors/${id}/events`, { authorization: `Bearer ${h.verifier.issue('u2')}` })).status,
    404,
  );
});

test('socket streams the job as it changes, and closes with 4401 within 1 s of logout', async (t) => {
  const h = await startHarness(t, { source: sourceTreeAt(fixtureCheckout(t)) });
  const { token } = await connect(h, 'u1', 'octo');
  const id = await startMirror(h, token);
  const { ws, status } = await open(`${h.url.replace('http', 'ws')}/v1/mirrors/${id}/events?token=${token}`);
  t.is(status, undefined, 'upgraded');
  const closed = new Promise<{ code: number; at: number }>((resolve) => {
    ws.once('close', (code) => resolve({ code, at: Date.now() }));
    // A socket that never closes fails the test instead of hanging it.
    setTimeout(() => resolve({ code: -1, at: Date.now() }), 10_000).unref();
  });
  const messages: { status: string; percent: number }[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(String(data)) as { status: string; percent: number }));
  for (let i = 0; i < 100 && messages.length === 0; i += 1) await new Promise((r) => setTimeout(r, 50));
  t.is(messages[0]?.status, 'queued');
  const revokedAt = Date.now();
  h.verifier.revoke(token);
  const { code, at } = await closed;
  t.is(code, 4401);
  t.true(at - revokedAt < 1000, `closed after ${at - revokedAt} ms`);
});

test('socket → closes with 1000 when the job is done, after showing 100 %', async (t) => {
  const h = await startHarness(t, { source: sourceTreeAt(fixtureCheckout(t)) });
  const { token } = await connect(h, 'u1', 'octo');
  const id = await startMirror(h, token);
  const { ws } = await open(`${h.url.replace('http', 'ws')}/v1/mirrors/${id}/events`, {
    authorization: `Bearer ${token}`,
  });
  const messages: { status: string; percent: number }[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(String(data)) as { status: string; percent: number }));
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await drain(h.mirror);
  t.is(await closed, 1000);
  t.like(messages.at(-1), { status: 'succeeded', percent: 100 });
});
