import test, { type ExecutionContext } from 'ava';
import { WebSocket } from 'ws';
import { bearer, call as authCall, confirmedAccount, login, startAuth } from '../../auth/test/helpers/harness.js';
import { sourceTreeAt } from '../src/index.js';
import { connect } from './helpers/flows.js';
import { call, startHarness } from './helpers/harness.js';
import { drain, startMirror } from './helpers/jobs.js';
import { fixtureCheckout } from './helpers/source.js';

type JobMessage = { status: string; percent: number };
interface Socket {
  ws: WebSocket;
  /** The HTTP status of a refused upgrade (0: connection error); undefined once upgraded. */
  status?: number;
  /** Every job message, in order: listened to from the start, as the first frame can arrive with the 101. */
  messages: JobMessage[];
  closed: Promise<{ code: number; at: number }>;
}

/** A client socket, terminated after the test so an unclosed one cannot hold the server open. */
const open = (t: ExecutionContext, url: string, headers: Record<string, string> = {}) =>
  new Promise<Socket>((resolve) => {
    const ws = new WebSocket(url, { headers });
    t.teardown(() => ws.terminate());
    const messages: JobMessage[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(String(data)) as JobMessage));
    const closed = new Promise<{ code: number; at: number }>((done) =>
      ws.once('close', (code) => done({ code, at: Date.now() })),
    );
    ws.once('open', () => resolve({ ws, messages, closed }));
    ws.once('unexpected-response', (_req, res) => resolve({ ws, messages, closed, status: res.statusCode }));
    ws.once('error', () => resolve({ ws, messages, closed, status: 0 }));
  });

/** A socket that never closes fails the test instead of hanging it. */
const closedWithin = (socket: Socket, ms: number) =>
  Promise.race([
    socket.closed,
    new Promise<{ code: number; at: number }>((resolve) =>
      setTimeout(() => resolve({ code: -1, at: Date.now() }), ms).unref(),
    ),
  ]);

const firstMessage = async (messages: readonly unknown[]) => {
  for (let i = 0; i < 100 && messages.length === 0; i += 1) await new Promise((r) => setTimeout(r, 50));
};

test('socket without a token, with a revoked token, or for another person’s job → refused before the upgrade', async (t) => {
  const h = await startHarness(t, { source: sourceTreeAt(fixtureCheckout(t)) });
  const { token } = await connect(h, 'u1', 'octo');
  const id = await startMirror(h, token);
  const ws = h.url.replace('http', 'ws');
  t.is((await open(t, `${ws}/v1/mirrors/${id}/events`)).status, 401);
  const revoked = h.verifier.issue('u1');
  h.verifier.revoke(revoked);
  t.is((await open(t, `${ws}/v1/mirrors/${id}/events?token=${revoked}`)).status, 401);
  t.is(
    (await open(t, `${ws}/v1/mirrors/${id}/events`, { authorization: `Bearer ${h.verifier.issue('u2')}` })).status,
    404,
  );
});

test('socket streams the job as it changes, and closes with 4401 within 1 s of logout', async (t) => {
  const h = await startHarness(t, { source: sourceTreeAt(fixtureCheckout(t)) });
  const { token } = await connect(h, 'u1', 'octo');
  const id = await startMirror(h, token);
  const socket = await open(t, `${h.url.replace('http', 'ws')}/v1/mirrors/${id}/events?token=${token}`);
  t.is(socket.status, undefined, 'upgraded');
  await firstMessage(socket.messages);
  t.is(socket.messages[0]?.status, 'queued');
  const revokedAt = Date.now();
  h.verifier.revoke(token);
  const { code, at } = await closedWithin(socket, 10_000);
  t.is(code, 4401);
  t.true(at - revokedAt < 1000, `closed after ${at - revokedAt} ms`);
});

test('socket → closes with 1000 when the job is done, after showing 100 %', async (t) => {
  const h = await startHarness(t, { source: sourceTreeAt(fixtureCheckout(t)) });
  const { token } = await connect(h, 'u1', 'octo');
  const id = await startMirror(h, token);
  const socket = await open(t, `${h.url.replace('http', 'ws')}/v1/mirrors/${id}/events`, {
    authorization: `Bearer ${token}`,
  });
  await drain(h.mirror);
  t.is((await socket.closed).code, 1000);
  t.like(socket.messages.at(-1), { status: 'succeeded', percent: 100 });
});

test('real auth and @gatehouse/token-verifier: a logged-in person’s socket closes with 4401 within 1 s of logout', async (t) => {
  const auth = await startAuth(t);
  const h = await startHarness(t, { source: sourceTreeAt(fixtureCheckout(t)), authUrl: auth.url });
  const { access_token: token } = await login(auth, await confirmedAccount(auth));
  const { sub } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sub: string };
  await connect(h, sub, 'octo');
  const id = await startMirror(h, token);
  const socket = await open(t, `${h.url.replace('http', 'ws')}/v1/mirrors/${id}/events`, {
    authorization: `Bearer ${token}`,
  });
  t.is(socket.status, undefined, 'upgraded with a real access token');
  await firstMessage(socket.messages);
  t.is(socket.messages[0]?.status, 'queued');
  const loggedOutAt = Date.now();
  t.is((await authCall(auth.url, 'POST', '/v1/logout', { scope: 'local' }, bearer(token))).status, 204);
  const { code, at } = await closedWithin(socket, 10_000);
  t.is(code, 4401);
  t.true(at - loggedOutAt < 1000, `closed ${at - loggedOutAt} ms after logout was sent`);
  t.is((await call(`${h.url}/v1/mirrors/${id}`, { token })).status, 401, 'the API refuses the token too');
});
