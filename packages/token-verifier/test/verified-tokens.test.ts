import test from 'ava';
import { generateKeyPairSync } from 'node:crypto';
import { ManualClock } from '@gatehouse/service-kit';
import { bearer, call, confirmedAccount, login } from '../../../services/auth/test/helpers/harness.js';
import type { AccessClaims, VerificationKey } from '../src/index.js';
import { VerifiedTokens } from '../src/verified-tokens.js';
import { authFor, eventually, serialTest, verifierFor } from './helpers/verifier-harness.js';

serialTest('stream')(
  'a token checked before → its check is remembered; logged out → refused all the same',
  async (t) => {
    const h = await authFor(t, 'stream');
    const verifier = await verifierFor(t, h, 'stream');
    const tokens = await login(h, await confirmedAccount(h));
    t.true((await verifier.verify(tokens.access_token)).ok);
    t.true((await verifier.verify(tokens.access_token)).ok);
    t.is(verifier.stats().verifiedCacheHits, 1);
    t.is((await call(h.url, 'POST', '/v1/logout', { scope: 'local' }, bearer(tokens.access_token))).status, 204);
    await eventually(async () => !(await verifier.verify(tokens.access_token)).ok);
    t.deepEqual(await verifier.verify(tokens.access_token), { ok: false, reason: 'revoked' });
  },
);

serialTest('stream')('a remembered token past its exp → refused as expired, not served from memory', async (t) => {
  const clock = new ManualClock(Date.now());
  const h = await authFor(t, 'stream', { clock });
  const verifier = await verifierFor(t, h, 'stream');
  const tokens = await login(h, await confirmedAccount(h));
  t.true((await verifier.verify(tokens.access_token)).ok);
  t.true((await verifier.verify(tokens.access_token)).ok);
  clock.advance((h.config.ACCESS_TOKEN_TTL_SECONDS + 1) * 1000);
  t.deepEqual(await verifier.verify(tokens.access_token), { ok: false, reason: 'bad_signature_or_claims' });
});

const keyPair = (kid: string): VerificationKey => ({
  kid,
  alg: 'ES256',
  publicKey: generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey,
});
const claims = (jti: string, extra: Partial<AccessClaims> & { nbf?: number } = {}): AccessClaims =>
  ({ iss: 'i', aud: 'a', sub: 'u', jti, sid: 's', iat: 100, exp: 200, token_use: 'access', ...extra }) as AccessClaims;

test('the key behind a remembered check is no longer served under its kid → a miss', (t) => {
  const cache = new VerifiedTokens(4);
  const key = keyPair('k1');
  cache.add('token', claims('j1'), key);
  t.truthy(cache.get('token', () => key, 150));
  t.is(
    cache.get('token', () => keyPair('k1'), 150),
    undefined,
  );
  t.is(cache.size, 0);
});

test('before nbf or at exp → a miss; in between → the claims', (t) => {
  const cache = new VerifiedTokens(4);
  const key = keyPair('k1');
  const keyFor = () => key;
  cache.add('early', claims('j1', { nbf: 120 }), key);
  t.is(cache.get('early', keyFor, 110), undefined);
  cache.add('late', claims('j2'), key);
  t.is(cache.get('late', keyFor, 200), undefined);
  cache.add('now', claims('j3', { nbf: 120 }), key);
  t.is(cache.get('now', keyFor, 150)?.jti, 'j3');
});

test('full → the least recently used token goes first; size 0 → nothing is remembered', (t) => {
  const cache = new VerifiedTokens(2);
  const key = keyPair('k1');
  const keyFor = () => key;
  cache.add('a', claims('a'), key);
  cache.add('b', claims('b'), key);
  t.truthy(cache.get('a', keyFor, 150));
  cache.add('c', claims('c'), key);
  t.truthy(cache.get('a', keyFor, 150));
  t.is(cache.get('b', keyFor, 150), undefined);
  t.truthy(cache.get('c', keyFor, 150));
  const none = new VerifiedTokens(0);
  none.add('a', claims('a'), key);
  t.is(none.size, 0);
});
