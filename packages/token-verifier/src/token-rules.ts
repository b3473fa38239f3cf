import type { KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

/** The one value of `token_use` that marks an access token. */
export const accessTokenUse = 'access';
/** The `typ` header of an access token (RFC 9068). */
export const accessTokenTyp = 'at+jwt';
export type SigningAlgorithm = 'ES256' | 'RS256';
export const signingAlgorithms: readonly SigningAlgorithm[] = ['ES256', 'RS256'];
const maxTokenLength = 4096;
const urlHeaders = ['jku', 'x5u', 'jwk', 'x5c'];

export interface AccessClaims {
  iss: string;
  aud: string;
  sub: string;
  jti: string;
  iat: number;
  exp: number;
  /** The login session (refresh-token family) this token belongs to. */
  sid: string;
  token_use: typeof accessTokenUse;
}

export interface VerificationKey {
  kid: string;
  alg: SigningAlgorithm;
  publicKey: KeyObject;
}

/** Why a token was refused; stable, so callers and logs can branch on it. */
export type Refusal =
  | 'malformed'
  | 'too_long'
  | 'unknown_key'
  | 'bad_header'
  | 'bad_signature_or_claims'
  | 'not_an_access_token'
  | 'revoked'
  | 'feed_stale';

export type Verdict = { ok: true; claims: AccessClaims } | { ok: false; reason: Refusal };

export interface TokenRuleSettings {
  issuer: string;
  audience: string;
}

/**
 * Gatehouse's access-token rules, the one copy: the key comes only from the
 * caller's fixed map by kid, algorithms are pinned to that key, URL-bearing
 * headers are refused (never fetched), and iss, aud, typ, token_use, exp and
 * nbf are all required. Never throws for a bad token.
 */
export function checkAccessToken(
  token: string,
  keyFor: (kid: string) => VerificationKey | undefined,
  settings: TokenRuleSettings,
  nowSeconds: number,
): Verdict {
  if (token.length > maxTokenLength) return { ok: false, reason: 'too_long' };
  const decoded = jwt.decode(token, { complete: true });
  if (!decoded || typeof decoded.payload !== 'object') return { ok: false, reason: 'malformed' };
  const { header } = decoded;
  const key = typeof header.kid === 'string' ? keyFor(header.kid) : undefined;
  if (!key) return { ok: false, reason: 'unknown_key' };
  if (header.alg !== key.alg || header.typ !== accessTokenTyp) return { ok: false, reason: 'bad_header' };
  if (urlHeaders.some((name) => name in header)) return { ok: false, reason: 'bad_header' };
  let payload: unknown;
  try {
    payload = jwt.verify(token, key.publicKey, {
      algorithms: [key.alg],
      issuer: settings.issuer,
      audience: settings.audience,
      clockTimestamp: nowSeconds,
    });
  } catch {
    return { ok: false, reason: 'bad_signature_or_claims' };
  }
  return isAccessClaims(payload) ? { ok: true, claims: payload } : { ok: false, reason: 'not_an_access_token' };
}

/** jsonwebtoken accepts a token without exp and never looks at token_use: both are checked here. */
function isAccessClaims(value: unknown): value is AccessClaims {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  return (
    c.token_use === accessTokenUse &&
    typeof c.exp === 'number' &&
    typeof c.iat === 'number' &&
    typeof c.sub === 'string' &&
    typeof c.jti === 'string' &&
    typeof c.sid === 'string'
  );
}
