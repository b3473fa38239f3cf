// Journey (c): what the front door itself guarantees — headers on every
// answer (its own errors included), internal endpoints unreachable, rate
// limits, oversized input refused with 4xx, request ids generated or passed.
import { request } from 'node:http';
import test from 'ava';
import { edgeError, errorJson, maxBodyBytes, rateZones } from '@gatehouse/stack';
import { api, url } from './support/index.js';
import { assertEdgeHeaders } from './support/edge-headers.js';

/** A raw request, for what fetch will not send or will not wait for (a 1 MB upload refused early). */
function raw(options: { method: string; path: string; headers?: Record<string, string>; body?: Buffer }) {
  return new Promise<{ status: number; headers: Headers; body: string }>((resolve, reject) => {
    const req = request(url(options.path), { method: options.method, headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers))
          if (value !== undefined) headers.set(name, String(value));
        resolve({ status: res.statusCode ?? 0, headers, body });
      });
    });
    // The edge may answer and close while the body is still going out; the answer is what counts.
    req.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err),
    );
    req.end(options.body);
  });
}

const internal = [
  '/api/auth/v1/introspect',
  '/api/auth/v1/Introspect',
  '/api/auth/v1/INTROSPECT/',
  '/api/auth/v1/introspect/anything',
  '/api/auth//v1/introspect',
  '/api/auth/v1/./introspect',
  '/api/auth/v1/%69ntrospect',
  '/api/auth/metrics',
  '/api/auth/readyz',
  '/metrics',
  '/readyz',
];

test('internal endpoints are not reachable through the front door, however spelled → 404 problem+json', async (t) => {
  // Positive control: the auth service is reachable, so the 404s are the block, not a missing route.
  const jwks = await api('/api/auth/.well-known/jwks.json');
  t.is(jwks.status, 200);
  for (const path of internal) {
    for (const method of ['GET', 'POST']) {
      const response = await api(path, { method, ...(method === 'POST' ? { json: { token: 'x' } } : {}) });
      t.is(response.status, 404, `${method} ${path}`);
      assertEdgeHeaders(t, response.headers, `${method} ${path}`);
      if (path.startsWith('/api/')) t.is((response.body as { code?: string }).code, 'not_found', `${method} ${path}`);
    }
  }
});

test('an unknown API is a problem+json 404, not a web page', async (t) => {
  const response = await api('/api/nothing-here/v1/x');
  t.is(response.status, 404);
  t.regex(response.headers.get('content-type') ?? '', /application\/problem\+json/);
  const requestId = response.headers.get('x-request-id')!;
  t.is(JSON.stringify(response.body), errorJson(edgeError(404), requestId));
  assertEdgeHeaders(t, response.headers, 'unknown API');
});

test('X-Request-ID: generated when absent, passed to the service and back when sent, replaced when malformed', async (t) => {
  const generated = await api('/api/auth/v1/me');
  t.regex(generated.headers.get('x-request-id') ?? '', /^[0-9a-f]{32}$/);
  t.is(
    (generated.body as { request_id?: string }).request_id,
    generated.headers.get('x-request-id') ?? undefined,
    'the service saw the same id',
  );

  const mine = 'e2e-request-0123456789';
  const passed = await api('/api/auth/v1/me', { headers: { 'x-request-id': mine } });
  t.is(passed.headers.get('x-request-id'), mine);
  t.is((passed.body as { request_id?: string }).request_id, mine);

  const replaced = await api('/api/auth/v1/me', { headers: { 'x-request-id': 'bad id<script>' } });
  t.regex(replaced.headers.get('x-request-id') ?? '', /^[0-9a-f]{32}$/);

  const page = await api('/', { headers: { 'x-request-id': mine } });
  t.is(page.headers.get('x-request-id'), mine, 'web pages too');
});

test("web pages carry the web service's own CSP, once; edge headers on every page", async (t) => {
  const home = await api('/');
  t.is(home.status, 200);
  assertEdgeHeaders(t, home.headers, 'home');
  t.notRegex(home.headers.get('content-security-policy') ?? '', /sha256-/, "the page's CSP is web's, not the edge's");
  for (const path of ['/login', '/signup', '/forgot-password', '/no-such-page']) {
    const response = await api(path);
    assertEdgeHeaders(t, response.headers, path);
  }
});

test('static assets are served with a year-long immutable cache; a missing one is not cached', async (t) => {
  const home = await api('/');
  const asset = /href="(\/assets\/[^"]+)"/.exec(String(home.body))?.[1];
  t.truthy(asset, 'the home page links a stylesheet under /assets/');
  const css = await api(asset!);
  t.is(css.status, 200);
  t.is(css.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assertEdgeHeaders(t, css.headers, asset!);
  const missing = await api('/assets/not-there.0000.css');
  t.is(missing.status, 404);
  t.not(missing.headers.get('cache-control'), 'public, max-age=31536000, immutable');
});

test('a 10 KB cookie is refused with 400/431 (never 5xx), with the edge headers, JSON under /api/', async (t) => {
  const cookie = `big=${'a'.repeat(10 * 1024)}`;
  for (const path of ['/api/auth/v1/me', '/']) {
    const response = await raw({ method: 'GET', path, headers: { cookie } });
    t.true(response.status === 400 || response.status === 431, `${path}: ${response.status}`);
    assertEdgeHeaders(t, response.headers, `${path} with a 10 KB cookie`);
    const type = response.headers.get('content-type') ?? '';
    t.regex(type, path.startsWith('/api/') ? /application\/problem\+json/ : /text\/html/, path);
  }
  const header = await raw({ method: 'GET', path: '/api/auth/v1/me', headers: { 'x-padding': 'p'.repeat(10 * 1024) } });
  t.true(header.status === 400 || header.status === 431, `10 KB header: ${header.status}`);
});

test('a 1 MB body is refused with 413 before any service sees it, JSON under /api/ and a page for the web', async (t) => {
  const body = Buffer.alloc(1024 * 1024, 'a');
  t.true(body.length > maxBodyBytes);
  for (const [path, type] of [
    ['/api/auth/v1/signup', 'application/json'],
    ['/signup', 'application/x-www-form-urlencoded'],
  ] as const) {
    const response = await raw({
      method: 'POST',
      path,
      headers: { 'content-type': type, 'content-length': String(body.length) },
      body,
    });
    t.is(response.status, 413, path);
    assertEdgeHeaders(t, response.headers, `${path} with 1 MB`);
    t.regex(response.headers.get('content-type') ?? '', path.startsWith('/api/') ? /problem\+json/ : /text\/html/);
  }
});

test('rate limit: rapid password-forgot POSTs from one address get 429 from the edge, problem+json with Retry-After', async (t) => {
  // Invalid bodies: auth answers them 400 and never throttles them itself, so any 429 is the edge's.
  // (The forgot zone is used by no other e2e journey; reruns within a minute only see 429 sooner.)
  const { burst } = rateZones.forgot;
  const statuses: number[] = [];
  let limited: Awaited<ReturnType<typeof api>> | undefined;
  for (let i = 0; i < burst + 5 && !limited; i++) {
    const response = await api('/api/auth/v1/password/forgot', { json: { email: 'not-an-address' } });
    statuses.push(response.status);
    if (response.status === 429) limited = response;
    else t.is(response.status, 400, `request ${i + 1} reached auth`);
  }
  t.truthy(limited, `no 429 within ${burst + 5} requests: ${statuses.join(' ')}`);
  t.regex(limited!.headers.get('content-type') ?? '', /application\/problem\+json/);
  t.is((limited!.body as { code?: string }).code, 'too_many_requests');
  t.truthy(limited!.headers.get('retry-after'));
  assertEdgeHeaders(t, limited!.headers, '429');

  // The same zone guards the web form: a small page, not JSON.
  const page = await api('/forgot-password', { form: { email: 'x' } });
  t.is(page.status, 429);
  t.regex(page.headers.get('content-type') ?? '', /text\/html/);
  assertEdgeHeaders(t, page.headers, 'web 429');

  // GETs are never counted.
  t.is((await api('/forgot-password')).status, 200);
});

test('the edge answers its own health check', async (t) => {
  const response = await api('/healthz');
  t.is(response.status, 200);
  t.deepEqual(response.body, { status: 'ok' });
  assertEdgeHeaders(t, response.headers, '/healthz');
});
