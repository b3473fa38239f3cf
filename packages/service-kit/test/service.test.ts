import test from 'ava';
import { captureLogs, listen } from '@gatehouse/testkit';
import { exampleApp } from './fixtures/example-app.js';

async function start(ready?: () => Promise<unknown>) {
  const logs = captureLogs('example');
  const server = await listen(exampleApp(logs.logger, ready ? { ready } : {}));
  return { ...server, logs };
}

test('request without X-Request-ID → one is generated and echoed', async (t) => {
  const s = await start();
  t.teardown(s.close);
  const res = await fetch(`${s.url}/items/1`);
  const id = res.headers.get('x-request-id');
  t.regex(id ?? '', /^[0-9a-f-]{36}$/);
  t.is((s.logs.lines().find((l) => l.msg === 'request') ?? {}).req_id, id);
});

test('request with X-Request-ID from nginx → the same id is echoed and logged', async (t) => {
  const s = await start();
  t.teardown(s.close);
  const res = await fetch(`${s.url}/items/1`, { headers: { 'x-request-id': 'a1b2c3d4e5f60718293a4b5c6d7e8f90' } });
  t.is(res.headers.get('x-request-id'), 'a1b2c3d4e5f60718293a4b5c6d7e8f90');
  t.true(s.logs.text().includes('a1b2c3d4e5f60718293a4b5c6d7e8f90'));
});

test('X-Request-ID with a newline or junk → replaced, never logged as sent', async (t) => {
  const s = await start();
  t.teardown(s.close);
  const res = await fetch(`${s.url}/items/1`, { headers: { 'x-request-id': 'x"y' } });
  t.not(res.headers.get('x-request-id'), 'x"y');
});

test('AppError → problem+json with its status, code and request id', async (t) => {
  const s = await start();
  t.teardown(s.close);
  const res = await fetch(`${s.url}/teapot`);
  t.is(res.status, 409);
  t.is(res.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  const body = (await res.json()) as Record<string, unknown>;
  t.like(body, { status: 409, code: 'username_taken', detail: 'That username is taken.', title: 'Conflict' });
  t.is(body.request_id, res.headers.get('x-request-id'));
});

test('unexpected exception → generic 500 unexpected_failure, details only in the log', async (t) => {
  const s = await start();
  t.teardown(s.close);
  const res = await fetch(`${s.url}/boom`);
  t.is(res.status, 500);
  const text = await res.text();
  t.false(text.includes('hunter2'));
  t.is(JSON.parse(text).code, 'unexpected_failure');
  const logged = s.logs.lines().find((l) => l.msg === 'request failed');
  t.truthy(logged);
  t.is(logged?.req_id, res.headers.get('x-request-id'));
});

test('dependency marked unavailable → 503 service_unavailable with Retry-After', async (t) => {
  const s = await start();
  t.teardown(s.close);
  const res = await fetch(`${s.url}/unavailable`);
  t.is(res.status, 503);
  t.is(res.headers.get('retry-after'), '1');
  t.is(((await res.json()) as { code: string }).code, 'service_unavailable');
});

test('unknown path → 404 not_found as problem+json', async (t) => {
  const s = await start();
  t.teardown(s.close);
  const res = await fetch(`${s.url}/nope`);
  t.is(res.status, 404);
  t.is(((await res.json()) as { code: string }).code, 'not_found');
});

test('wrong method on a known path → 405 method_not_allowed', async (t) => {
  const s = await start();
  t.teardown(s.close);
  const res = await fetch(`${s.url}/teapot`, { method: 'PUT' });
  t.is(res.status, 405);
  t.is(((await res.json()) as { code: string }).code, 'method_not_allowed');
});

test('body over the limit → 413 payload_too_large before the handler runs', async (t) => {
  const s = await start();
  t.teardown(s.close);
  const res = await fetch(`${s.url}/items`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'x'.repeat(1_000_000) }),
  });
  t.is(res.status, 413);
  t.is(((await res.json()) as { code: string }).code, 'payload_too_large');
});

test('chunked body over the limit (no Content-Length) → 413', async (t) => {
  const s = await start();
  t.teardown(s.close);
  const chunks = new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(`{"name":"${'x'.repeat(5000)}"}`));
      controller.close();
    },
  });
  const res = await fetch(`${s.url}/items`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: chunks,
    duplex: 'half',
  } as RequestInit);
  t.is(res.status, 413);
});

const post = (url: string, body: string, type = 'application/json') =>
  fetch(`${url}/items`, { method: 'POST', headers: { 'content-type': type }, body });

test('malformed JSON → 400 malformed_json', async (t) => {
  const s = await start();
  t.teardown(s.close);
  const res = await post(s.url, '{"name":');
  t.is(res.status, 400);
  t.is(((await res.json()) as { code: string }).code, 'malformed_json');
});

test('repeated field → 400 duplicate_field', async (t) => {
  const s = await start();
  t.teardown(s.close);
  const res = await post(s.url, '{"name":"a","name":"b"}');
  t.is(res.status, 400);
  t.is(((await res.json()) as { code: string }).code, 'duplicate_field');
});

test('__proto__ key → 400 forbidden_field', async (t) => {
  const s = await start();
  t.teardown(s.close);
  const res = await post(s.url, '{"name":"a","__proto__":{"admin":true}}');
  t.is(res.status, 400);
  t.is(((await res.json()) as { code: string }).code, 'forbidden_field');
  t.is(({} as Record<string, unknown>).admin, undefined);
});

test('unknown field → 400 validation_failed naming it unknown_field', async (t) => {
  const s = await start();
  t.teardown(s.close);
  const res = await post(s.url, '{"name":"a","role":"admin"}');
  t.is(res.status, 400);
  const body = (await res.json()) as { code: string; errors: { field: string; code: string }[] };
  t.is(body.code, 'validation_failed');
  t.deepEqual(
    body.errors.map((e) => [e.field, e.code]),
    [['role', 'unknown_field']],
  );
});

test('form body where only JSON is accepted → 415 unsupported_media_type', async (t) => {
  const s = await start();
  t.teardown(s.close);
  const res = await post(s.url, 'name=a', 'application/x-www-form-urlencoded');
  t.is(res.status, 415);
});

test('password and authorization never reach the logs', async (t) => {
  const s = await start();
  t.teardown(s.close);
  await fetch(`${s.url}/items?token=sekrit-query-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sekrit-bearer', cookie: 'sid=sekrit-cookie' },
    body: JSON.stringify({ name: 'a', password: 'sekrit-password' }),
  });
  s.logs.logger.info({ password: 'sekrit-password', user: { token: 'sekrit-token' } }, 'domain event');
  const text = s.logs.text();
  for (const secret of ['sekrit-query-token', 'sekrit-bearer', 'sekrit-cookie', 'sekrit-password', 'sekrit-token']) {
    t.false(text.includes(secret), `${secret} leaked into the logs`);
  }
  t.true(text.includes('[Redacted]'));
});

test('forged X-Forwarded-For → ctx.ip is the proxy-appended address, not the forged one', async (t) => {
  const s = await start();
  t.teardown(s.close);
  await fetch(`${s.url}/items/1`, { headers: { 'x-forwarded-for': '6.6.6.6, 10.0.0.7' } });
  t.is(s.logs.lines().find((l) => l.msg === 'request')?.ip, '10.0.0.7');
});

test('/healthz → 200 ok', async (t) => {
  const s = await start();
  t.teardown(s.close);
  const res = await fetch(`${s.url}/healthz`);
  t.is(res.status, 200);
  t.deepEqual(await res.json(), { status: 'ok' });
});

test('/readyz with dependencies up → 200 ready', async (t) => {
  const s = await start();
  t.teardown(s.close);
  const res = await fetch(`${s.url}/readyz`);
  t.is(res.status, 200);
  t.deepEqual(await res.json(), { status: 'ready', checks: { store: 'ok' } });
});

test('/readyz with a dependency down → 503 naming it', async (t) => {
  const s = await start(async () => {
    throw new Error('down');
  });
  t.teardown(s.close);
  const res = await fetch(`${s.url}/readyz`);
  t.is(res.status, 503);
  t.deepEqual(await res.json(), { status: 'unready', checks: { store: 'failed' } });
});

test('/metrics → Prometheus text with request counts by route template', async (t) => {
  const s = await start();
  t.teardown(s.close);
  await fetch(`${s.url}/items/41`);
  await fetch(`${s.url}/items/42`);
  const res = await fetch(`${s.url}/metrics`);
  t.is(res.status, 200);
  t.regex(res.headers.get('content-type') ?? '', /^text\/plain/);
  const text = await res.text();
  t.regex(text, /http_requests_total\{method="GET",route="\/items\/:id",status="200",service="example"\} 2/);
  t.regex(
    text,
    /http_request_duration_seconds_count\{service="example",method="GET",route="\/items\/:id",status="200"\} 2/,
  );
  t.regex(text, /nodejs_eventloop_lag_seconds/);
});
