import type { AccessClaims, VerificationKey } from './token-rules.js';

interface Entry {
  claims: AccessClaims;
  /** The key object that checked the signature: a key auth no longer serves under that kid is a miss. */
  key: VerificationKey;
  notBefore: number | undefined;
}

/**
 * Tokens whose signature and claims already passed, so a page view repeating
 * the same token (every view of a session does) skips the public-key
 * operation, the largest cost of a check. Only a token that passed is kept,
 * so garbage cannot fill it; a hit is still checked against the clock (exp,
 * nbf) and the key in use, and revocation is checked by the caller on every
 * call, hit or miss. Least recently used entries go first.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, Entry>();
  hits = 0;

  constructor(private readonly capacity: number) {}

  /** The claims of `token` if it passed before and is still within its lifetime under the same key. */
  get(token: string, keyFor: (kid: string) => VerificationKey | undefined, nowSeconds: number) {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    const current = nowSeconds < entry.claims.exp && (entry.notBefore === undefined || entry.notBefore <= nowSeconds);
    if (!current || keyFor(entry.key.kid) !== entry.key) {
      this.entries.delete(token);
      return undefined;
    }
    this.entries.delete(token);
    this.entries.set(token, entry);
    this.hits += 1;
    return entry.claims;
  }

  add(token: string, claims: AccessClaims, key: VerificationKey): void {
    if (this.capacity <= 0) return;
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    const nbf = (claims as { nbf?: unknown }).nbf;
    this.entries.set(token, { claims, key, notBefore: typeof nbf === 'number' ? nbf : undefined });
  }

  get size(): number {
    return this.entries.size;
  }
}
