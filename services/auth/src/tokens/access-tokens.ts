import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Clock } from '@gatehouse/service-kit';
import { accessTokenTyp, accessTokenUse, checkAccessToken, type AccessClaims } from '@gatehouse/token-verifier';
import type { KeyStore } from './key-store.js';

export type { AccessClaims } from '@gatehouse/token-verifier';

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

    // The rules live in the token-verifier package, the one copy every service checks with.
    verify(token) {
      const verdict = checkAccessToken(
        token,
        (kid) => keys.byKid.get(kid),
        settings,
        Math.floor(clock.now().getTime() / 1000),
      );
      return verdict.ok ? verdict.claims : null;
    },
  };
}
