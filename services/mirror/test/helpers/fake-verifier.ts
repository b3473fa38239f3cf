import { randomBytes } from 'node:crypto';
import type { AccessTokenVerifier, Verdict } from '../../src/index.js';

/**
 * Stands in for @gatehouse/token-verifier until that branch is merged: tokens
 * are opaque strings issued here; revoke() fires onRevoked like the real feed.
 */
export class TestVerifier implements AccessTokenVerifier {
  readonly #tokens = new Map<string, string>();
  readonly #listeners = new Set<(event: unknown) => void>();

  issue(userId: string): string {
    const token = randomBytes(24).toString('base64url');
    this.#tokens.set(token, userId);
    return token;
  }

  revoke(token: string): void {
    this.#tokens.delete(token);
    for (const listener of this.#listeners) listener({ token: 'revoked' });
  }

  async verify(token: string): Promise<Verdict> {
    const sub = this.#tokens.get(token);
    return sub
      ? { ok: true, claims: { sub, jti: token.slice(0, 8), exp: Math.floor(Date.now() / 1000) + 900 } }
      : { ok: false, reason: 'revoked' };
  }

  onRevoked(listener: (event: unknown) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
