// nginx and the Node gateway, built from the same service list, in front of
// fake services: every behaviour below must hold for both.
import test, { type ExecutionContext } from 'ava';
import { testNeeding } from '@gatehouse/testkit';
import {
  edgeError,
  errorHtml,
  errorJson,
  immutableCacheControl,
  rateZones,
  requestIdPattern,
  securityHeaders,
  services,
  type ServiceEntry,
} from '../src/index.js';
import { nginxBin, startEdges, type Edges } from './fixtures/edges.js';
import type { SeenRequest } from './fixtures/fake-upstream.js';
import { rawRequest, type Answer, type RawRequest } from './fixtures/raw-request.js';

// A test-only entry: one more item in the list must be all a WebSocket service needs.
const echo: ServiceEntry = {
  name: 'echo',
  package: '@gatehouse/echo',
  dir: 'services/echo',
  configExport: 'echoConfigSchema',
  port: 3999,
  routes: [{ prefix: '/api/echo/', stripPrefix: true, websocket: true }],
};

let edges: Edges;
test.before(async () => {
  edges = await startEdges([...services, echo]);
});
test.after.always(async () => {
  await edges?.close();
});

type Kind = 'gateway' | 'nginx';
const kinds: Kind[] = ['gateway', 'nginx'];
const needs = (kind: Kind) => (kind === 'nginx' && !nginxBin ? 'nginx is not installed' : undefined);
const base = (kind: Kind) => edges.urls[kind]!;

const send = (kind: Kind, options: RawRequest) => rawRequest(base(kind), options);

function assertEdgeHeaders(t: ExecutionContext, answer: Answer, what: string, upstreamCsp?: string): void {
  t.regex(String(answer.headers['x-request-id']), requestIdPattern, `${what}: X-Request-ID`);
  for (const { name, value } of securityHeaders) {
    const expected = name === 'Content-Security-Policy' && upstreamCsp ? upstreamCsp : value;
    t.is(answer.headers[name.toLowerCase()], expected, `${what}: ${name}, once`);
  }
  t.is(answer.headers['strict-transport-security'], undefined, `${what}: no HSTS over plain HTTP`);
  t.notRegex(String(answer.headers.server ?? ''), /\d/, `${what}: no version in Server`);
}

function assertEdgeError(
  t: ExecutionContext,
  answer: Answer,
  status: number,
  format: 'json' | 'html',
  what: string,
): void {
  t.is(answer.status, status, what);
  assertEdgeHeaders(t, answer, what);
  const id = String(answer.headers['x-request-id']);
  const error = edgeError(status);
  if (format === 'json') {
    t.is(answer.headers['content-type'], 'application/problem+json; charset=utf-8', what);
    t.is(answer.body, errorJson(error, id), what);
  } else {
    t.is(answer.headers['content-type'], 'text/html; charset=utf-8', what);
    t.is(answer.body.trimEnd(), errorHtml(error, id).trimEnd(), what);
  }
  t.is(answer.headers['cache-control'], 'no-store', what);
}

for (const kind of kinds) {
  const edgeTest = (title: string, fn: (t: ExecutionContext) => Promise<void>) =>
    testNeeding(needs(kind))(`${kind}: ${title}`, fn);

  edgeTest('proxies /api/auth/ with the prefix stripped and the forwarding headers set by the edge', async (t) => {
    const answer = await send(kind, {
      path: '/api/auth/v1/me?x=1',
      headers: { host: 'gatehouse.test', 'x-forwarded-for': '6.6.6.6', 'x-forwarded-host': 'evil' },
    });
    t.is(answer.status, 200);
    const seen = JSON.parse(answer.body) as SeenRequest & { service: string };
    t.is(seen.service, 'auth');
    t.is(seen.url, '/v1/me?x=1');
    t.is(seen.headers.host, 'gatehouse.test');
    t.is(seen.headers['x-forwarded-for'], '127.0.0.1', 'the client cannot forge its address');
    t.is(seen.headers['x-forwarded-proto'], 'http');
    t.is(seen.headers['x-forwarded-host'], 'gatehouse.test');
    t.regex(String(seen.headers['x-request-id']), /^[0-9a-f]{32}$/);
    t.is(answer.headers['x-request-id'], seen.headers['x-request-id'], 'the response carries the id the service saw');
    t.not(seen.headers.connection, 'close', 'upstream connections are kept alive');
    assertEdgeHeaders(t, answer, 'proxied');
  });

  edgeTest('X-Request-ID: a well-formed one is passed on and returned, a malformed one replaced', async (t) => {
    const kept = await send(kind, { path: '/api/auth/v1/me', headers: { 'x-request-id': 'client-id-12345' } });
    t.is((JSON.parse(kept.body) as SeenRequest).headers['x-request-id'], 'client-id-12345');
    t.is(kept.headers['x-request-id'], 'client-id-12345');
    const replaced = await send(kind, { path: '/', headers: { 'x-request-id': 'no good<>' } });
    t.regex(String(replaced.headers['x-request-id']), /^[0-9a-f]{32}$/);
  });

  edgeTest("a service's own CSP wins and is the only one; otherwise the edge's", async (t) => {
    const page = await send(kind, { path: '/page' });
    assertEdgeHeaders(t, page, '/page', "default-src 'self'");
    const plain = await send(kind, { path: '/other' });
    assertEdgeHeaders(t, plain, '/other');
  });

  edgeTest('internal paths are 404 from the edge, problem+json under /api/, a page elsewhere', async (t) => {
    for (const path of [
      '/api/auth/v1/introspect',
      '/api/auth/v1/INTROSPECT/',
      '/api/auth//v1/./introspect',
      '/api/auth/v1/%69ntrospect',
      '/api/auth/metrics',
      '/api/echo/readyz',
    ]) {
      assertEdgeError(
        t,
        await send(kind, { method: 'POST', path, body: '{}', headers: { 'content-type': 'application/json' } }),
        404,
        'json',
        path,
      );
    }
    for (const path of ['/metrics', '/readyz', '/METRICS'])
      assertEdgeError(t, await send(kind, { path }), 404, 'html', path);
    assertEdgeError(t, await send(kind, { path: '/api/unknown/x' }), 404, 'json', 'unknown API');
  });

  edgeTest('/api/auth without the slash redirects to /api/auth/', async (t) => {
    const answer = await send(kind, { path: '/api/auth?a=b' });
    t.is(answer.status, 301);
    t.regex(String(answer.headers.location), /\/api\/auth\/\?a=b$/);
  });

  edgeTest('a 10 KB cookie is 431 from the edge, never reaching a service', async (t) => {
    const cookie = `c=${'x'.repeat(10 * 1024)}`;
    assertEdgeError(
      t,
      await send(kind, { path: '/api/auth/v1/me', headers: { cookie } }),
      431,
      'json',
      '/api/ with a big cookie',
    );
    assertEdgeError(
      t,
      await send(kind, { path: '/login', headers: { cookie } }),
      431,
      'html',
      'page with a big cookie',
    );
  });

  edgeTest('a 1 MB body is 413 from the edge, with or without Content-Length', async (t) => {
    const body = Buffer.alloc(1024 * 1024, 'a');
    assertEdgeError(
      t,
      await send(kind, {
        method: 'POST',
        path: '/api/auth/v1/signup',
        body,
        headers: { 'content-type': 'application/json' },
      }),
      413,
      'json',
      'sized',
    );
    const chunked = await send(kind, {
      method: 'POST',
      path: '/signup',
      body,
      headers: { 'transfer-encoding': 'chunked' },
    });
    assertEdgeError(t, chunked, 413, 'html', 'chunked');
    const small = await send(kind, {
      method: 'POST',
      path: '/api/auth/v1/signup',
      body: '{"a":1}',
      headers: { 'content-type': 'application/json' },
    });
    t.is((JSON.parse(small.body) as SeenRequest).bodyBytes, 7, 'a small body passes whole');
  });

  edgeTest(
    'the forgot-password zone: burst+1 POSTs pass, the next is 429 with Retry-After; GETs are not counted',
    async (t) => {
      const { burst } = rateZones.forgot;
      for (let i = 0; i <= burst; i++) {
        t.is(
          (await send(kind, { method: 'POST', path: '/api/auth/v1/password/forgot' })).status,
          200,
          `request ${i + 1}`,
        );
      }
      const limited = await send(kind, { method: 'POST', path: '/api/auth/v1/password/forgot' });
      assertEdgeError(t, limited, 429, 'json', 'API 429');
      t.is(limited.headers['retry-after'], '60');
      assertEdgeError(
        t,
        await send(kind, { method: 'POST', path: '/forgot-password' }),
        429,
        'html',
        'web form shares the zone',
      );
      t.is((await send(kind, { path: '/forgot-password' })).status, 200, 'GET is not counted');
      t.is((await send(kind, { method: 'POST', path: '/api/auth/v1/token' })).status, 200, 'other zones are separate');
    },
  );

  edgeTest('assets get a year-long immutable cache on 200 only', async (t) => {
    const css = await send(kind, { path: '/assets/main.0123.css' });
    t.is(css.headers['cache-control'], immutableCacheControl);
    assertEdgeHeaders(t, css, 'asset');
    const missing = await send(kind, { path: '/assets/missing.css' });
    t.is(missing.status, 404);
    t.is(missing.headers['cache-control'], 'no-store');
  });

  edgeTest('the edge answers /healthz itself', async (t) => {
    const answer = await send(kind, { path: '/healthz' });
    t.is(answer.status, 200);
    t.is(answer.body, '{"status":"ok"}');
    assertEdgeHeaders(t, answer, '/healthz');
  });

  edgeTest('a WebSocket route (one list entry) passes the upgrade, prefix stripped', async (t) => {
    const socket = new WebSocket(`${base(kind).replace('http', 'ws')}/api/echo/v1/live`);
    const messages: string[] = [];
    const closed = await new Promise<number>((resolve, reject) => {
      socket.onmessage = (event) => messages.push(String(event.data));
      socket.onerror = () => reject(new Error('websocket failed'));
      socket.onclose = (event) => resolve(event.code);
    });
    t.deepEqual(messages, ['hello from echo at /v1/live']);
    t.not(closed, 1006, 'closed cleanly, not torn down');
  });
}
