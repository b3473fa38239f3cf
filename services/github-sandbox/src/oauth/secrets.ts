import { createHash, randomBytes } from 'node:crypto';

/** Only digests are stored; a leaked table holds no usable token or code. */
export const hashSecret = (value: string) => createHash('sha256').update(value).digest('hex');

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomBase62(length: number): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  for (const byte of bytes) {
    // 248 = 4 * 62: rejecting the rest keeps every character equally likely.
    if (byte < 248) out += alphabet[byte % 62];
    if (out.length === length) return out;
  }
  return out + randomBase62(length - out.length);
}

/** An OAuth app token as GitHub shapes them: gho_ and 36 characters. */
export const newAccessToken = () => `gho_${randomBase62(36)}`;

/** GitHub's codes are 20 hex characters. */
export const newCode = () => randomBytes(10).toString('hex');

/** PKCE S256: base64url(SHA-256(verifier)) equals the challenge. */
export function pkceMatches(verifier: string, challenge: string): boolean {
  return createHash('sha256').update(verifier).digest('base64url') === challenge;
}
