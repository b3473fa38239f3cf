import { createHash, createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import jwt from 'jsonwebtoken';
import { ManualClock } from '@gatehouse/service-kit';
import { listen } from '@gatehouse/testkit';
import { createAuthRuntime, type AuthConfig } from '../src/index.js';
import {
  bearer,
  call,
  confirmedAccount,
  login,
  serviceSecret,
  startAuth,
  type Account,
  type Harness,
  type HarnessOptions,
} from './helpers/harness.js';

async function setup(t: ExecutionContext, options: HarnessOptions = {}): Promise<{ h: Harness; account: Account }> {
  const h = await startAuth(t, { clock: new ManualClock(), ...options });
  return { h, account: await confirmedAccount(h) };
}

const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});
const introspect = (url: string, token: string, headers: Record<string, string> = basic('web', serviceSecret)) =>
  call(url, 'POST', '/v1/introspect', { token }, headers);
const me = (url: string, token: string) => call(url, 'GET', '/v1/me', undefined, bearer(token));
const jwks = async (url: string) =>
  (await call(url, 'GET', '/.well-known/jwks.json')).body.keys as (JsonWebKey & { kid: string })[];
const kidOf = (token: string) => jwt.decode(token, { complete: true })?.header.kid;

function ecKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

/** RFC 7638: SHA-256 over the required members, in lexicographic order. */
const thumbprint = (jwk: JsonWebKey) =>
  createHash('sha256')
    .update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }))
    .digest('base64url');

/** Another runtime on the harness's database with some config changed: a restart or a rotated deploy. */
async function restarted(t: ExecutionContext, h: Harness, change: Partial<AuthConfig>) {
  const runtime = await createAuthRuntime(
    { ...h.config, ...change },
    { db: h.database.db, logger: h.logs.logger, clock: h.clock },
  );
  const server = await listen(runtime.app);
  t.teardown(async () => {
    await server.close();
    await runtime.close();
  });
  return { url: server.url, runtime };
}

async function tempDataDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-auth-keys-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

for (const [name, headers] of [
  ['without credentials', {}],
  ['with a wrong secret', basic('web', `${serviceSecret}x`)],
  ['with the secret but no service name', basic('', serviceSecret)],
  ['with a Bearer token instead of Basic', bearer(serviceSecret)],
] as [string, Record<string, string>][]) {
  test(`introspect ${name} → 401 invalid_client with a Basic challenge`, async (t) => {
    const { h, account } = await setup(t);
    const { access_token } = await login(h, account);
    const res = await introspect(h.url, access_token, headers);
    t.is(res.status, 401);
    t.is(res.body.code, 'invalid_client');
    t.regex(res.headers.get('www-authenticate') ?? '', /^Basic realm="/);
    t.is(res.body.active, undefined);
  });
}

test('introspect with the service secret and a valid token → 200 active with sub, jti, exp, iat, iss, aud, token_use', async (t) => {
  const { h, account } = await setup(t);
  const { access_token } = await login(h, account);
  const claims = jwt.decode(access_token) as Record<string, unknown>;
  const user = await me(h.url, access_token);
  const res = await introspect(h.url, access_token);
  t.is(res.status, 200);
  t.is(res.headers.get('cache-control'), 'no-store');
  t.like(res.body, {
    active: true,
    sub: user.body.id,
    jti: claims.jti,
    iat: claims.iat,
    exp: Number(claims.iat) + 900,
    iss: 'https://gatehouse.test',
    aud: 'gatehouse',
    token_use: 'access',
  });
  t.is(res.body.iat, Math.floor(h.clock.now().getTime() / 1000));
});

test('introspect after logout → active:false', async (t) => {
  const { h, account } = await setup(t);
  const { access_token } = await login(h, account);
  t.is((await introspect(h.url, access_token)).body.active, true);
  t.is((await call(h.url, 'POST', '/v1/logout', {}, bearer(access_token))).status, 204);
  t.deepEqual((await introspect(h.url, access_token)).body, { active: false });
});

test('introspect with a garbage token → 200 active:false', async (t) => {
  const { h } = await setup(t);
  for (const token of ['garbage', 'a.b.c', '', 'eyJhbGciOiJFUzI1NiJ9..']) {
    const res = await introspect(h.url, token);
    t.is(res.status, 200, JSON.stringify(token));
    t.deepEqual(res.body, { active: false });
  }
});

test('JWKS → one public EC P-256 key: kid (its RFC 7638 thumbprint), alg ES256, use sig, no private member', async (t) => {
  const { h } = await setup(t);
  const res = await call(h.url, 'GET', '/.well-known/jwks.json');
  t.is(res.status, 200);
  t.regex(res.headers.get('cache-control') ?? '', /public, max-age=\d+/);
  const keys = res.body.keys as (JsonWebKey & { kid: string })[];
  t.is(keys.length, 1);
  const [key] = keys as [JsonWebKey & { kid: string }];
  t.like(key, { kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
  t.is(key.kid, thumbprint(key));
  for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) t.false(secret in key, `member ${secret}`);
});

test('access token header kid → listed in the JWKS, and the token verifies with that JWKS key', async (t) => {
  const { h, account } = await setup(t);
  const { access_token } = await login(h, account);
  const key = (await jwks(h.url)).find((k) => k.kid === kidOf(access_token));
  t.truthy(key);
  const publicKey = createPublicKey({ key: key!, format: 'jwk' });
  const payload = jwt.verify(access_token, publicKey, {
    algorithms: ['ES256'],
    issuer: 'https://gatehouse.test',
    audience: 'gatehouse',
    clockTimestamp: Math.floor(h.clock.now().getTime() / 1000),
  }) as jwt.JwtPayload;
  t.is<unknown, unknown>(payload.sub, (await me(h.url, access_token)).body.id);
  // The same check refuses a token signed by any other key.
  const stranger = jwt.sign({ sub: payload.sub }, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, {
    algorithm: 'ES256',
  });
  t.throws(() => jwt.verify(stranger, publicKey, { algorithms: ['ES256'] }), {
    any: true,
    message: 'invalid signature',
  });
});

test('key rotation: B signs with A kept as previous → A tokens still work, new tokens carry B kid, JWKS lists both; without A → A tokens refused', async (t) => {
  const a = ecKey();
  const b = ecKey();
  const { h, account } = await setup(t, { env: { JWT_PRIVATE_KEY: a.privatePem } });
  const kidA = h.runtime.deps.keys.signing.kid;
  const tokenA = (await login(h, account)).access_token;
  t.is(kidOf(tokenA), kidA);
  t.deepEqual(
    (await jwks(h.url)).map((k) => k.kid),
    [kidA],
  );

  const rotated = await restarted(t, h, { JWT_PRIVATE_KEY: b.privatePem, JWT_PREVIOUS_PUBLIC_KEYS: a.publicPem });
  t.is((await me(rotated.url, tokenA)).status, 200);
  const tokenB = (await login(rotated, account)).access_token;
  const kidB = kidOf(tokenB);
  t.truthy(kidB);
  t.not(kidB, kidA);
  t.deepEqual((await jwks(rotated.url)).map((k) => k.kid).sort(), [kidA, kidB].sort());

  const retired = await restarted(t, h, { JWT_PRIVATE_KEY: b.privatePem, JWT_PREVIOUS_PUBLIC_KEYS: undefined });
  const refused = await me(retired.url, tokenA);
  t.is(refused.status, 401);
  t.is(refused.body.code, 'invalid_token');
  t.is((await me(retired.url, tokenB)).status, 200);
  t.deepEqual(
    (await jwks(retired.url)).map((k) => k.kid),
    [kidB],
  );
});

test('no JWT_PRIVATE_KEY → a key is generated into DATA_DIR/keys/signing-key.pem (0600); a restart keeps its kid and its tokens', async (t) => {
  const dataDir = await tempDataDir(t);
  const { h, account } = await setup(t, { env: { DATA_DIR: dataDir } });
  const file = join(dataDir, 'keys', 'signing-key.pem');
  t.is((await stat(file)).mode & 0o777, 0o600);
  t.is((await stat(join(dataDir, 'keys'))).mode & 0o777, 0o700);
  const kid = h.runtime.deps.keys.signing.kid;
  const published = await jwks(h.url);
  t.deepEqual(
    published.map((k) => k.kid),
    [kid],
  );
  t.is(thumbprint(createPublicKey(await readFile(file, 'utf8')).export({ format: 'jwk' })), kid);
  const { access_token } = await login(h, account);

  const again = await restarted(t, h, {});
  t.is(again.runtime.deps.keys.signing.kid, kid);
  t.deepEqual(await jwks(again.url), published);
  t.is((await me(again.url, access_token)).status, 200);
});

test('two DATA_DIRs without JWT_PRIVATE_KEY → two different generated keys (nothing shared by accident)', async (t) => {
  const { h } = await setup(t, { env: { DATA_DIR: await tempDataDir(t) } });
  const other = await restarted(t, h, { DATA_DIR: await tempDataDir(t) });
  t.not(other.runtime.deps.keys.signing.kid, h.runtime.deps.keys.signing.kid);
});
