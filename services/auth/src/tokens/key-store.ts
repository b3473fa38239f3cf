import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SigningAlgorithm, VerificationKey } from '@gatehouse/token-verifier';

export type { SigningAlgorithm, VerificationKey } from '@gatehouse/token-verifier';

export interface SigningKey extends VerificationKey {
  privateKey: KeyObject;
}

/**
 * The keys that sign and verify access tokens. Keys are parsed into
 * KeyObjects once: passing PEM strings per call is several times slower.
 * A token's `kid` only ever selects from this fixed map.
 */
export interface KeyStore {
  signing: SigningKey;
  byKid: ReadonlyMap<string, VerificationKey>;
  jwks(): { keys: JsonWebKey[] };
}

export interface KeyStoreOptions {
  /** PEM of the signing key; absent: read or create one in `dataDir`. */
  privateKeyPem?: string | undefined;
  /** PEMs of retired public keys, still accepted until their tokens expire. */
  previousPublicKeysPem?: string | undefined;
  dataDir: string;
}

export async function loadKeyStore(options: KeyStoreOptions): Promise<KeyStore> {
  const privateKey = createPrivateKey(options.privateKeyPem ?? (await generatedKeyPem(options.dataDir)));
  const signing: SigningKey = { ...describeKey(createPublicKey(privateKey)), privateKey };
  const byKid = new Map<string, VerificationKey>([[signing.kid, signing]]);
  for (const pem of splitPems(options.previousPublicKeysPem ?? '')) {
    const key = describeKey(createPublicKey(pem));
    byKid.set(key.kid, key);
  }
  const published = [...byKid.values()].map((key) => ({
    ...(key.publicKey.export({ format: 'jwk' }) as JsonWebKey),
    kid: key.kid,
    alg: key.alg,
    use: 'sig',
  }));
  return { signing, byKid, jwks: () => ({ keys: published }) };
}

function describeKey(publicKey: KeyObject): VerificationKey {
  const jwk = publicKey.export({ format: 'jwk' }) as JsonWebKey;
  let alg: SigningAlgorithm;
  let members: Record<string, unknown>;
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') {
    alg = 'ES256';
    members = { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  } else if (jwk.kty === 'RSA' && (publicKey.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048) {
    alg = 'RS256';
    members = { e: jwk.e, kty: jwk.kty, n: jwk.n };
  } else {
    throw new Error('signing keys must be EC P-256 (ES256) or RSA of at least 2048 bits (RS256)');
  }
  // RFC 7638 thumbprint: the kid follows from the key, so no one has to pick one.
  const kid = createHash('sha256').update(JSON.stringify(members)).digest('base64url');
  return { kid, alg, publicKey };
}

function splitPems(text: string): string[] {
  return text.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? [];
}

/**
 * ES256 by default: it signs about 8× faster than RS256 (logins and
 * refreshes sign), and its tokens are shorter.
 */
async function generatedKeyPem(dataDir: string): Promise<string> {
  const dir = join(dataDir, 'keys');
  const file = join(dir, 'signing-key.pem');
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // wx: if a replica sharing the directory wrote one first, use theirs.
  try {
    await writeFile(file, pem, { mode: 0o600, flag: 'wx' });
    return pem;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFile(file, 'utf8');
    throw err;
  }
}
