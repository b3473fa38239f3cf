import type { AccessClaims } from './token-rules.js';
import type { RevocationEvent } from './revocation-event.js';

/**
 * The revocations still relevant, each kept until the tokens it covers have
 * expired. The jti itself is the key (about 77 B an entry); lookups are three
 * Map reads.
 */
export class RevocationSet {
  private readonly jtis = new Map<string, number>();
  private readonly sessions = new Map<string, number>();
  private readonly users = new Map<string, { before: number; exp: number }>();

  add(event: RevocationEvent): void {
    if (event.kind === 'user') {
      const known = this.users.get(event.subject);
      this.users.set(event.subject, {
        before: Math.max(known?.before ?? 0, event.before),
        exp: Math.max(known?.exp ?? 0, event.exp),
      });
      return;
    }
    const map = event.kind === 'jti' ? this.jtis : this.sessions;
    map.set(event.subject, Math.max(map.get(event.subject) ?? 0, event.exp));
  }

  covers(claims: Pick<AccessClaims, 'jti' | 'sid' | 'sub' | 'iat'>): boolean {
    if (this.jtis.has(claims.jti) || this.sessions.has(claims.sid)) return true;
    const user = this.users.get(claims.sub);
    return user !== undefined && claims.iat < user.before;
  }

  /** Forgets every revocation whose tokens have all expired by `nowSeconds`. */
  prune(nowSeconds: number): void {
    for (const map of [this.jtis, this.sessions]) {
      for (const [key, exp] of map) if (exp <= nowSeconds) map.delete(key);
    }
    for (const [key, { exp }] of this.users) if (exp <= nowSeconds) this.users.delete(key);
  }

  get size(): number {
    return this.jtis.size + this.sessions.size + this.users.size;
  }
}
