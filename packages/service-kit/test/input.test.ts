// What reaches a route at all: JSON only unless the form policy says otherwise,
// no cross-site browser at a form endpoint, no control characters anywhere,
// X-Forwarded-* only from a trusted proxy.
import test from 'ava';
import { captureLogs, listen } from '@gatehouse/testkit';
import { loadConfig, ConfigError, configFields, type FormPolicy } from '../src/index.js';
import { z } from 'zod';
import { exampleApp } from './fixtures/example-app.js';

const origin = 'https://gatehouse.test';

async function start(options: { trustedProxies?: string[]; forms?: FormPolicy } = {}) {
  const logs = captureLogs('example');
  const server = await listen(exampleApp(logs.logger, options));
  return { ...server, logs };
}

async function post(url: string, body: string, headers: Record<string, string>) {
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const json = { 'content-type': 'application/json' };

test('empty form post where only JSON is accepted → 415 unsupported_media_type', async (t) => {
  const s = await start();
  t.teardown(s.close);
  const res = await post(`${s.url}/items`, '', form);
  t.is(res.status, 415);
  t.is(res.body.code, 'unsupported_media_type');
});

test('text/plain body (a cross-site form’s other encoding) → 415', async (t) => {
  const s = await start();
  t.teardown(s.close);
  t.is((await post(`${s.url}/items`, '{"name":"x"}', { 'content-type': 'text/plain' })).status, 415);
});

test('form at a path the policy names → parsed; the same form elsewhere → 415', async (t) => {
  const s = await start({ forms: { paths: ['/oauth/token'], origin } });
  t.teardown(s.close);
  const ok = await post(`${s.url}/oauth/token`, 'grant_type=password&username=ann', form);
  t.is(ok.status, 200);
  t.deepEqual(ok.body, { grant_type: 'password', username: 'ann' });
  t.is((await post(`${s.url}/OAuth/Token/`, 'a=b', form)).status, 200, 'the path is matched as the router does');
  t.is((await post(`${s.url}/items`, 'name=ann', form)).status, 415);
});

test('form endpoint with Sec-Fetch-Site: cross-site or a foreign Origin → 403 cross_site_request', async (t) => {
  const s = await start({ forms: { paths: ['/oauth/token'], origin } });
  t.teardown(s.close);
  for (const headers of [
    { ...form, 'sec-fetch-site': 'cross-site' },
    { ...form, origin: 'https://evil.example' },
    { ...form, origin: 'null' },
    { ...json, 'sec-fetch-site': 'cross-site' },
  ]) {
    const res = await post(
      `${s.url}/oauth/token`,
      headers['content-type'] === form['content-type'] ? 'a=b' : '{}',
      headers,
    );
    t.is(res.status, 403, JSON.stringify(headers));
    t.is(res.body.code, 'cross_site_request');
  }
  const own = await post(`${s.url}/oauth/token`, 'a=b', { ...form, origin, 'sec-fetch-site': 'same-origin' });
  t.is(own.status, 200, 'the service’s own origin is not foreign');
});

test('NUL, other control characters, a lone surrogate or an overlong string → 400 naming the field', async (t) => {
  const s = await start();
  t.teardown(s.close);
  for (const [name, why] of [
    ['ann\u0000', 'control character'],
    ['ann\u001b[31m', 'control character'],
    ['ann\u0085', 'control character'],
    ['ann\ud800', 'lone surrogate'],
  ] as const) {
    const res = await fetch(`${s.url}/items`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ name }),
    });
    t.is(res.status, 400, why);
    const body = (await res.json()) as { code: string; errors: { field: string; code: string; message: string }[] };
    t.is(body.code, 'validation_failed');
    t.like(body.errors[0], { field: 'name', code: 'name_invalid' });
    t.true(body.errors[0]!.message.includes(why), body.errors[0]!.message);
  }
  const long = await fetch(`${s.url}/items/1?q=${'a'.repeat(5000)}`);
  t.is(long.status, 400);
  t.regex(JSON.stringify(await long.json()), /The field \\"q\\" is longer than 4096 characters/);
});

test('a control character in a nested value, a field name, the query or the path → 400', async (t) => {
  const s = await start({ forms: { paths: ['/oauth/token'], origin } });
  t.teardown(s.close);
  t.is((await post(`${s.url}/oauth/token`, JSON.stringify({ a: [{ b: 'x\u0000' }] }), json)).status, 400);
  t.is((await post(`${s.url}/oauth/token`, JSON.stringify({ 'x\u0000': 'y' }), json)).status, 400);
  t.is((await post(`${s.url}/oauth/token`, 'username=ann%00', form)).status, 400);
  t.is((await fetch(`${s.url}/items/1?q=%00`)).status, 400);
  t.is((await fetch(`${s.url}/items/a%00b`)).status, 400);
  t.is((await fetch(`${s.url}/items/caf%C3%A9?q=%C3%BC`)).status, 200, 'ordinary non-ASCII text passes');
});

test('X-Forwarded-* from a peer outside TRUSTED_PROXIES → ignored: ctx.ip is the peer, protocol and host its own', async (t) => {
  const s = await start({ trustedProxies: ['10.0.0.0/8'] });
  t.teardown(s.close);
  const res = await fetch(`${s.url}/whoami`, {
    headers: { 'x-forwarded-for': '198.51.100.7', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' },
  });
  t.deepEqual(await res.json(), { ip: '127.0.0.1', protocol: 'http', host: new URL(s.url).host });
  t.is(s.logs.lines().find((l) => l.msg === 'request')?.ip, '127.0.0.1');
});

test('X-Forwarded-For from a trusted proxy → the rightmost address that is not a trusted proxy', async (t) => {
  const s = await start({ trustedProxies: ['127.0.0.1', '10.0.0.0/8'] });
  t.teardown(s.close);
  const ip = async (xff: string) =>
    ((await (await fetch(`${s.url}/whoami`, { headers: { 'x-forwarded-for': xff } })).json()) as { ip: string }).ip;
  t.is(await ip('198.51.100.7'), '198.51.100.7');
  t.is(await ip('6.6.6.6, 198.51.100.7, 10.1.2.3'), '198.51.100.7', 'a forged left-hand entry never wins');
  t.is(await ip('10.0.0.1, 10.1.2.3'), '10.0.0.1', 'all trusted: the furthest one');
  t.is(await ip('not-an-address, 10.1.2.3'), '10.1.2.3', 'junk ends the chain');
  const proto = await fetch(`${s.url}/whoami`, { headers: { 'x-forwarded-proto': 'https' } });
  t.is(((await proto.json()) as { protocol: string }).protocol, 'https');
});

test('TRUSTED_PROXIES with a bad entry → config error naming it; unset → loopback', (t) => {
  const schema = z.object({ TRUSTED_PROXIES: configFields.trustedProxies() });
  const error = t.throws(() => loadConfig(schema, { TRUSTED_PROXIES: '10.0.0.0/8, nginx, 10.0.0.0/33' }), {
    instanceOf: ConfigError,
  });
  t.regex(error.message, /"nginx" is not an address or CIDR/);
  t.regex(error.message, /"10\.0\.0\.0\/33" has a prefix outside 0–32/);
  t.deepEqual(loadConfig(schema, {}).TRUSTED_PROXIES, ['127.0.0.0/8', '::1']);
  t.deepEqual(loadConfig(schema, { TRUSTED_PROXIES: ' 10.0.0.0/8 ,fd00::/8' }).TRUSTED_PROXIES, [
    '10.0.0.0/8',
    'fd00::/8',
  ]);
});

test('JSON nested deeper than 32 levels → 400 malformed_json, before any walker sees it', async (t) => {
  const s = await start({ forms: { paths: ['/oauth/token'], origin } });
  t.teardown(s.close);
  const deep = await post(`${s.url}/oauth/token`, `{"a":${'['.repeat(500)}${']'.repeat(500)}}`, json);
  t.is(deep.status, 400);
  t.is(deep.body.code, 'malformed_json');
  const fine = await post(`${s.url}/oauth/token`, `{"a":${'['.repeat(30)}${']'.repeat(30)}}`, json);
  t.is(fine.status, 200);
});

test('JSON body that is null, a number, a string or a list → 400 malformed_json', async (t) => {
  const s = await start({ forms: { paths: ['/oauth/token'], origin } });
  t.teardown(s.close);
  for (const text of ['null', '1', '"x"', '[]', '[{"a":1}]']) {
    const res = await post(`${s.url}/oauth/token`, text, json);
    t.is(res.status, 400, text);
    t.is(res.body.code, 'malformed_json', text);
  }
});

test('an undecodable path segment does not hide a NUL in the next one → 400', async (t) => {
  const s = await start();
  t.teardown(s.close);
  t.is((await fetch(`${s.url}/items/%ED%A0%80/%00`)).status, 400);
  t.is((await fetch(`${s.url}/items/%zz%00`)).status, 200, 'left undecoded by the router too: no NUL reaches it');
});
