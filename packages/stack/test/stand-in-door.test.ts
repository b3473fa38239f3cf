// A stand-in's door (the GitHub stand-in's port on the front door), on nginx and the Node
// gateway, in front of a fake stand-in: it plays another host, so none of Gatehouse's policies.
import { once } from 'node:events';
import { request, type IncomingMessage } from 'node:http';
import test, { type ExecutionContext } from 'ava';
import { testNeeding } from '@gatehouse/testkit';
import { maxBodyBytes, rateZones, securityHeaders, services } from '../src/index.js';
import { nginxBin, startEdges, type EdgeKind, type Edges } from './fixtures/edges.js';
import { floodBytes, type SeenRequest } from './fixtures/fake-upstream.js';
import { rawRequest, type RawRequest } from './fixtures/raw-request.js';

const standIn = 'github-sandbox';

let edges: Edges;
test.before(async () => {
  edges = await startEdges(services);
});
test.after.always(async () => {
  await edges?.close();
});

const kinds: EdgeKind[] = ['gateway', 'nginx'];
const door = (kind: EdgeKind) => edges.standIns[kind]![standIn]!;
const send = (kind: EdgeKind, options: RawRequest) => rawRequest(door(kind), options);
const seen = (body: string) => JSON.parse(body) as SeenRequest & { service: string };

/** Resolves when the fake stand-in has received `bytes` of the body of a request to `url`; rejects after `ms`. */
function bodyArrived(url: string, bytes: number, ms: number): Promise<void> {
  const arrivals = edges.fake(standIn)!.events;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      arrivals.off('body', check);
      reject(new Error(`the stand-in had not seen ${bytes} bytes after ${ms} ms`));
    }, ms);
    const check = (at: string, so: number) => {
      if (at !== url || so < bytes) return;
      clearTimeout(timer);
      arrivals.off('body', check);
      resolve();
    };
    arrivals.on('body', check);
  });
}

for (const kind of kinds) {
  const doorTest = (title: string, fn: (t: ExecutionContext) => Promise<void>) =>
    testNeeding(kind === 'nginx' && !nginxBin ? 'nginx is not installed' : undefined)(`${kind}: ${title}`, fn);

  doorTest(
    "any path passes as sent, Host kept, X-Forwarded-* set by the door; none of Gatehouse's headers added",
    async (t) => {
      const answer = await send(kind, {
        path: '/api/v3/user?per_page=1',
        headers: { host: 'github.localhost:3003', 'x-forwarded-for': '6.6.6.6', 'x-forwarded-host': 'evil' },
      });
      t.is(answer.status, 200);
      const request = seen(answer.body);
      t.is(request.service, standIn);
      t.is(request.url, '/api/v3/user?per_page=1');
      t.is(request.headers.host, 'github.localhost:3003');
      t.is(request.headers['x-forwarded-for'], '127.0.0.1', 'the client cannot forge its address');
      t.is(request.headers['x-forwarded-proto'], 'http');
      t.is(request.headers['x-forwarded-host'], 'github.localhost:3003');
      t.is(request.headers['x-request-id'], undefined, 'no request id of the edge');
      t.is(answer.headers['x-request-id'], 'upstream-must-not-win', "the stand-in's own headers pass untouched");
      for (const { name } of securityHeaders) t.is(answer.headers[name.toLowerCase()], undefined, name);
      // Paths Gatehouse keeps internal are the other host's own business here.
      for (const path of ['/metrics', '/api/auth/v1/introspect']) t.is((await send(kind, { path })).status, 200, path);
    },
  );

  doorTest(`a 3 MB body passes whole, sized or chunked (Gatehouse's limit is ${maxBodyBytes} bytes)`, async (t) => {
    const body = Buffer.alloc(3 * 1024 * 1024, 'g');
    const sized = await send(kind, { method: 'POST', path: '/octo/big.git/git-receive-pack', body });
    t.is(sized.status, 200);
    t.is(seen(sized.body).bodyBytes, body.length);
    const chunked = await send(kind, {
      method: 'POST',
      path: '/octo/big.git/git-receive-pack',
      body,
      headers: { 'transfer-encoding': 'chunked' },
    });
    t.is(chunked.status, 200);
    t.is(seen(chunked.body).bodyBytes, body.length);
  });

  doorTest("POSTs past a Gatehouse rate zone's burst all reach the stand-in", async (t) => {
    const { burst } = rateZones.forgot;
    for (let i = 0; i <= burst + 2; i++) {
      t.is((await send(kind, { method: 'POST', path: '/api/auth/v1/password/forgot' })).status, 200, `POST ${i + 1}`);
    }
  });

  doorTest('a request body streams: the stand-in reads its start before the client has sent the rest', async (t) => {
    const part = Buffer.alloc(256 * 1024, 'p');
    const path = `/octo/stream-${kind}.git/git-receive-pack`;
    const req = request(`${door(kind)}${path}`, {
      method: 'POST',
      headers: { 'transfer-encoding': 'chunked' },
      agent: false,
    });
    const answered = once(req, 'response') as Promise<[IncomingMessage]>;
    const arrived = bodyArrived(path, part.length, 5000);
    req.write(part);
    await t.notThrowsAsync(arrived, 'a buffering door would hold the part until the body ends');
    req.end(part);
    const [res] = await answered;
    let text = '';
    for await (const chunk of res) text += String(chunk);
    t.is(seen(text).bodyBytes, 2 * part.length);
  });

  doorTest(
    'an answer is not spooled: while the client reads nothing, the stand-in waits to send the rest',
    async (t) => {
      const path = `/flood?${kind}`;
      let flooded = false;
      const onFlooded = (url: string) => (flooded ||= url === path);
      edges.fake(standIn)!.events.on('flooded', onFlooded);
      t.teardown(() => edges.fake(standIn)!.events.off('flooded', onFlooded));
      const req = request(`${door(kind)}${path}`, { agent: false });
      req.end();
      const [res] = (await once(req, 'response')) as [IncomingMessage];
      res.pause();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      t.false(flooded, `a spooling door would have taken all ${floodBytes} bytes by now`);
      let bytes = 0;
      for await (const chunk of res) bytes += (chunk as Buffer).length;
      t.is(bytes, floodBytes);
      t.true(flooded);
    },
  );
}
