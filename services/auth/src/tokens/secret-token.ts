import { createHash, randomBytes } from 'node:crypto';

/**
 * An opaque token for links and refresh: 256 bits from the CSPRNG.
 * Only its SHA-256 is stored; a fast hash is right here because the
 * token itself has full entropy, unlike a password.
 */
export function newSecretToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashSecretToken(token) };
}

export function hashSecretToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
