import { createPublicKey, createSecretKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import test, { type ExecutionContext } from 'ava';
import jwt from 'jsonwebtoken';
import { ManualClock } from '@gatehouse/service-kit';
import {
  bearer,
  call,
  confirmedAccount,
  login,
  serviceSecret,
  startAuth,
  type Harness,
  type Tokens,
} from './helpers/harness.js';
import { tokenFromMail } from '@gatehouse/testkit';
import { createVerifier, type Verifier } from '@gatehouse/token-verifier';

// Security cases 30–37 and 40: every forged token is refused by /v1/me, reported inactive by
// /v1/introspect, and refused by the token-verifier package (what other services check with).

type Claims = Record<string, unknown>;

interface Forgery {
  header?: Record<string, unknown>;
  claims?: Claims;
  /** Claims to leave out of the real payload. */
  drop?: string[];
  /** Replaces the whole payload (non-object payloads). */
  payload?: unknown;
  key?: KeyObject;
}

interface Setup {
  h: Harness;
  clock: ManualClock;
  tokens: Tokens;
  /** The payload of a real access token the service just issued. */
  claims: Claims;
  kid: string;
  /** A verifier from the package, fed by this auth service, on the same clock. */
  verifier: Verifier;
  /** Signs like the service does, changing only what `change` says. */
  forge(change?: Forgery): string;
}

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

async function setup(t: ExecutionContext): Promise<Setup> {
  const clock = new ManualClock();
  const h = await startAuth(t, { clock });
  const tokens = await login(h, await confirmedAccount(h));
  const claims = jwt.decode(tokens.access_token) as Claims;
  const { kid, privateKey } = h.runtime.deps.keys.signing;
  const forge = (change: Forgery = {}) => {
    const payload =
      change.payload ??
      Object.fromEntries(Object.entries({ ...claims, ...change.claims }).filter(([k]) => !change.drop?.includes(k)));
    const header = { alg: 'ES256', typ: 'at+jwt', kid, ...change.header };
    // A Buffer payload is signed as-is: jsonwebtoken neither validates it nor adds iat.
    return jwt.sign(Buffer.from(JSON.stringify(payload)), change.key ?? privateKey, {
      header: header as jwt.JwtHeader,
    });
  };
  const verifier = await createVerifier({
    authUrl: h.url,
    audience: h.config.JWT_AUDIENCE,
    issuer: h.config.PUBLIC_URL,
    credentials: { service: 'attack-test', secret: serviceSecret },
    feed: { transport: 'stream' },
    clock,
  });
  t.teardown(() => verifier.close());
  return { h, clock, tokens, claims, kid, verifier, forge };
}

const introspect = (h: Harness, token: string) =>
  call(
    h.url,
    'POST',
    '/v1/introspect',
    { token },
    { authorization: `Basic ${Buffer.from(`web:${serviceSecret}`).toString('base64')}` },
  );

async function assertRejected(t: ExecutionContext, h: Harness, token: string, verifier: Verifier) {
  t.false((await verifier.verify(token)).ok, 'the package refuses it too');
  const me = await call(h.url, 'GET', '/v1/me', undefined, bearer(token));
  t.is(me.status, 401);
  t.is(me.body.code, 'invalid_token');
  t.is(me.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
  const inspected = await introspect(h, token);
  t.is(inspected.status, 200);
  t.deepEqual(inspected.body, { active: false });
}

async function assertAccepted(t: ExecutionContext, s: Setup, token: string) {
  t.like(await s.verifier.verify(token), { ok: true, claims: { sub: s.claims.sub } });
  const me = await call(s.h.url, 'GET', '/v1/me', undefined, bearer(token));
  t.is(me.status, 200);
  t.is(me.body.id, s.claims.sub);
  t.like((await introspect(s.h, token)).body, { active: true, sub: s.claims.sub });
}

test('control: token built by the forging helper with nothing wrong → 200 on /v1/me, introspect active', async (t) => {
  const s = await setup(t);
  const forged = s.forge();
  t.not(forged, s.tokens.access_token); // re-signed: ECDSA signatures differ every time
  await assertAccepted(t, s, forged);
  await assertAccepted(t, s, s.tokens.access_token);
});

const attacks: [string, (s: Setup) => string[]][] = [
  [
    'alg none / None / NONE with the real payload',
    (s) => ['none', 'None', 'NONE'].map((alg) => `${b64({ alg, typ: 'at+jwt', kid: s.kid })}.${b64(s.claims)}.`),
  ],
  [
    'stripped signature (with and without the trailing dot)',
    (s) => {
      const [head, body] = s.tokens.access_token.split('.');
      return [`${head}.${body}.`, `${head}.${body}`];
    },
  ],
  [
    'edited signature (one byte flipped)',
    (s) => {
      const [head, body, sig] = s.tokens.access_token.split('.') as [string, string, string];
      const bytes = Buffer.from(sig, 'base64url');
      bytes[10]! ^= 0x01;
      return [`${head}.${body}.${bytes.toString('base64url')}`];
    },
  ],
  [
    'edited payload (longer exp) under the original signature',
    (s) => {
      const [head, , sig] = s.tokens.access_token.split('.');
      return [`${head}.${b64({ ...s.claims, exp: Number(s.claims.exp) + 365 * 86400 })}.${sig}`];
    },
  ],
  [
    'HS256 MAC keyed with the service public key PEM',
    (s) => {
      const pem = s.h.runtime.deps.keys.signing.publicKey.export({ format: 'pem', type: 'spki' }).toString();
      return [s.forge({ header: { alg: 'HS256' }, key: createSecretKey(Buffer.from(pem)) })];
    },
  ],
  ['unknown kid', (s) => [s.forge({ header: { kid: 'another-key' } })]],
  [
    'kid with path traversal or SQL',
    (s) =>
      ['../../../../../dev/null', '/etc/passwd', "' OR '1'='1", `${s.kid}' --`].map((kid) =>
        s.forge({ header: { kid } }),
      ),
  ],
  ['kid missing', (s) => [s.forge({ header: { kid: undefined } })]],
  [
    'expired (exp one second ago)',
    (s) => [s.forge({ claims: { iat: Number(s.claims.iat) - 901, exp: Number(s.claims.iat) - 1 } })],
  ],
  ['exp as a string', (s) => [s.forge({ claims: { exp: String(s.claims.exp) } })]],
  ['nbf in the future', (s) => [s.forge({ claims: { nbf: Number(s.claims.iat) + 60 } })]],
  ['exp missing', (s) => [s.forge({ drop: ['exp'] })]],
  ['wrong iss', (s) => [s.forge({ claims: { iss: 'https://evil.example' } })]],
  ['iss missing', (s) => [s.forge({ drop: ['iss'] })]],
  [
    'aud of another service',
    (s) => [s.forge({ claims: { aud: 'gatehouse-mirror' } }), s.forge({ claims: { aud: ['gatehouse-mirror'] } })],
  ],
  ['aud missing', (s) => [s.forge({ drop: ['aud'] })]],
  [
    'token_use not "access" (refresh, id, missing)',
    (s) => [
      s.forge({ claims: { token_use: 'refresh' } }),
      s.forge({ claims: { token_use: 'id' } }),
      s.forge({ drop: ['token_use'] }),
    ],
  ],
  [
    'typ header not at+jwt (JWT, missing)',
    (s) => [s.forge({ header: { typ: 'JWT' } }), s.forge({ header: { typ: undefined } })],
  ],
  [
    'non-object payload (JSON string, array)',
    (s) => [s.forge({ payload: JSON.stringify(s.claims) }), s.forge({ payload: [s.claims] })],
  ],
  ['the refresh token used as a bearer token', (s) => [s.tokens.refresh_token]],
  [
    'a confirmation token used as a bearer token',
    (s) => [tokenFromMail(s.h.mail.messages.find((m) => /Confirm/.test(m.subject))!)],
  ],
  [
    'signed by our key but carrying a jku header',
    (s) => [s.forge({ header: { jku: 'http://127.0.0.1:9/jwks.json' } })],
  ],
];

for (const [name, build] of attacks) {
  test(`forged token: ${name} → 401 invalid_token, introspect active:false`, async (t) => {
    const s = await setup(t);
    const tokens = build(s);
    t.true(tokens.length > 0);
    for (const token of tokens) await assertRejected(t, s.h, token, s.verifier);
  });
}

test('token after its exp on the service clock → 401; one second before → 200', async (t) => {
  const s = await setup(t);
  s.clock.advance((Number(s.claims.exp) - Number(s.claims.iat) - 1) * 1000);
  await assertAccepted(t, s, s.tokens.access_token);
  s.clock.advance(1000);
  await assertRejected(t, s.h, s.tokens.access_token, s.verifier);
});

test('edited payload impersonating another user under the original signature → 401', async (t) => {
  const s = await setup(t);
  const victim = await login(s.h, await confirmedAccount(s.h));
  const victimId = (jwt.decode(victim.access_token) as Claims).sub;
  const [head, , sig] = s.tokens.access_token.split('.');
  await assertRejected(t, s.h, `${head}.${b64({ ...s.claims, sub: victimId })}.${sig}`, s.verifier);
});

test('jku / x5u / jwk headers naming an attacker key that signed the token → 401, nothing fetched', async (t) => {
  const s = await setup(t);
  const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = {
    ...createPublicKey(attacker.privateKey).export({ format: 'jwk' }),
    kid: s.kid,
    alg: 'ES256',
    use: 'sig',
  };
  let fetched = 0;
  const server = createServer((_req, res) => {
    fetched += 1;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const signed = (header: Record<string, unknown>) => s.forge({ header, key: attacker.privateKey });
  for (const token of [signed({ jku: `${base}/jwks.json` }), signed({ x5u: `${base}/cert.pem` }), signed({ jwk })]) {
    await assertRejected(t, s.h, token, s.verifier);
  }
  t.is(fetched, 0);
  // The server does answer: a fetch would have been counted.
  t.is((await fetch(`${base}/jwks.json`)).status, 200);
  t.is(fetched, 1);
});

test('10 KB bearer token (well-formed or garbage) on /v1/me → 401 invalid_token, not 5xx', async (t) => {
  const s = await setup(t);
  for (const token of tenKilobyteTokens(s)) {
    t.false((await s.verifier.verify(token)).ok);
    const me = await call(s.h.url, 'GET', '/v1/me', undefined, bearer(token));
    t.is(me.status, 401);
    t.is(me.body.code, 'invalid_token');
  }
});

test('10 KB token at introspect → 200 active:false (RFC 7662), not 400 or 5xx', async (t) => {
  const s = await setup(t);
  for (const token of tenKilobyteTokens(s)) {
    const inspected = await introspect(s.h, token);
    t.is(inspected.status, 200);
    t.deepEqual(inspected.body, { active: false });
  }
});

function tenKilobyteTokens(s: Setup): string[] {
  const padded = s.forge({ claims: { pad: 'x'.repeat(7400) } });
  if (padded.length < 10_000 || padded.length > 11_000) throw new Error(`padded token is ${padded.length} characters`);
  return [padded, 'a'.repeat(10_240)];
}
