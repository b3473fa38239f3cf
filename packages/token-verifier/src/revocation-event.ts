import type { AccessClaims } from './token-rules.js';

/**
 * One revocation, as auth publishes it. `exp` (seconds) is when the last
 * token it covers expires; after that nobody needs to remember it.
 * - `jti`: one access token (`subject` = its jti);
 * - `session`: every token of one login session (`subject` = refresh family id);
 * - `user`: every token of user `subject` issued before `before` (seconds).
 */
export type RevocationEvent =
  | { seq: number; kind: 'jti' | 'session'; subject: string; exp: number }
  | { seq: number; kind: 'user'; subject: string; before: number; exp: number };

export const revocationKinds = ['jti', 'session', 'user'] as const;

/** Whether `event` revokes the token with these claims. */
export function revokes(event: RevocationEvent, claims: Pick<AccessClaims, 'jti' | 'sid' | 'sub' | 'iat'>): boolean {
  switch (event.kind) {
    case 'jti':
      return claims.jti === event.subject;
    case 'session':
      return claims.sid === event.subject;
    case 'user':
      return claims.sub === event.subject && claims.iat < event.before;
  }
}

/** A wire event, or undefined when it is not one (a feed must never crash a verifier). */
export function parseRevocationEvent(value: unknown): RevocationEvent | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const e = value as Record<string, unknown>;
  if (!Number.isSafeInteger(e.seq) || typeof e.subject !== 'string' || typeof e.exp !== 'number') return undefined;
  const base = { seq: e.seq as number, subject: e.subject, exp: e.exp };
  if (e.kind === 'jti' || e.kind === 'session') return { ...base, kind: e.kind };
  if (e.kind === 'user' && typeof e.before === 'number') return { ...base, kind: 'user', before: e.before };
  return undefined;
}
