import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Clock } from '@gatehouse/service-kit';
import type { KeyStore } from './key-store.js';

/** The one value of `token_use` (and `typ` header) that marks an access token. */
export const accessTokenUse = 'access';
const accessTokenTyp = 'at+jwt';
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

export interface AccessTokenSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export interface AccessTokens {
  issue(subject: { userId: string; sessionId: string }): { token: string; claims: AccessClaims };
  /** The claims of a valid access token, or null. Never throws for a bad token. */
  verify(token: string): AccessClaims | null;
}

export function createAccessTokens(keys: KeyStore, settings: AccessTokenSettings, clock: Clock): AccessTokens {
  const { signing } = keys;
  return {
    issue({ userId, sessionId }) {
      const iat = Math.floor(clock.now().getTime() / 1000);
      const claims: AccessClaims = {
        iss: settings.issuer,
        aud: settings.audience,
        sub: userId,
        jti: randomUUID(),
        iat,
        exp: iat + settings.ttlSeconds,
        sid: sessionId,
        token_use: accessTokenUse,
      };
      const token = jwt.sign(claims, signing.privateKey, {
        algorithm: signing.alg,
        keyid: signing.kid,
        header: { alg: signing.alg, typ: accessTokenTyp },
      });
      return { token, claims };
    },

    verify(token) {
      if (token.length > maxTokenLength) return null;
      const decoded = jwt.decode(token, { complete: true });
      if (!decoded || typeof decoded.payload !== 'object') return null;
      const { header } = decoded;
      // kid selects from our own fixed map; URL-bearing headers are refused, never fetched.
      const key = typeof header.kid === 'string' ? keys.byKid.get(header.kid) : undefined;
      if (!key || header.alg !== key.alg || header.typ !== accessTokenTyp) return null;
      if (urlHeaders.some((name) => name in header)) return null;
      let payload: unknown;
      try {
        payload = jwt.verify(token, key.publicKey, {
          algorithms: [key.alg],
          issuer: settings.issuer,
          audience: settings.audience,
          clockTimestamp: Math.floor(clock.now().getTime() / 1000),
        });
      } catch {
        return null;
      }
      return isAccessClaims(payload) ? payload : null;
    },
  };
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
