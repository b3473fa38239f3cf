import type { Middleware } from 'koa';
import { AppError } from '@gatehouse/service-kit';
import type { AuthDeps } from '../deps.js';
import type { UserRow } from '../users/users.js';
import type { AccessClaims } from '../tokens/access-tokens.js';

declare module 'koa' {
  interface DefaultState {
    claims?: AccessClaims;
    user?: UserRow;
  }
}

const challenge = { 'WWW-Authenticate': 'Bearer error="invalid_token"' };

/** Reads `Authorization: Bearer …` and lets through only a valid, unrevoked access token. */
export function parseBearer(header: string): string | undefined {
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header);
  return match?.[1];
}

/** With `withUser`, the user row is loaded in the same round trip as the revocation check. */
export function requireAccessToken(deps: Pick<AuthDeps, 'accessTokens' | 'tokenStatus'>, options: { withUser?: boolean } = {}): Middleware {
  return async (ctx, next) => {
    const token = parseBearer(ctx.get('authorization'));
    const claims = token ? deps.accessTokens.verify(token) : null;
    if (!claims) throw new AppError('invalid_token', { headers: challenge });
    if (options.withUser) {
      const user = await deps.tokenStatus.activeUser(claims);
      if (!user) throw new AppError('invalid_token', { headers: challenge });
      ctx.state.user = user;
    } else if (await deps.tokenStatus.isRevoked(claims)) {
      throw new AppError('invalid_token', { headers: challenge });
    }
    ctx.state.claims = claims;
    await next();
  };
}

export function claimsOf(state: { claims?: AccessClaims }): AccessClaims {
  if (!state.claims) throw new AppError('invalid_token', { headers: challenge });
  return state.claims;
}
