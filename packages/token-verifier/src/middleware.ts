import type { Middleware } from 'koa';
import { AppError } from '@gatehouse/service-kit';
import type { AccessClaims } from './token-rules.js';
import type { Verifier } from './verifier.js';

declare module 'koa' {
  interface DefaultState {
    claims?: AccessClaims;
  }
}

/** The WWW-Authenticate challenge (RFC 6750) of every refused bearer token. */
export const bearerChallenge = { 'WWW-Authenticate': 'Bearer error="invalid_token"' };

/** The token of `Authorization: Bearer …`, if the header is exactly that. */
export function parseBearer(header: string): string | undefined {
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header);
  return match?.[1];
}

/**
 * Lets through only a request carrying a good access token, and puts its
 * claims in `ctx.state.claims`. A refused token is 401 invalid_token; a
 * verifier that cannot vouch for any token (stale feed) answers 503.
 */
export function requireToken(verifier: Pick<Verifier, 'verify'>): Middleware {
  return async (ctx, next) => {
    const token = parseBearer(ctx.get('authorization'));
    const verdict = token ? await verifier.verify(token) : undefined;
    if (verdict?.ok) {
      ctx.state.claims = verdict.claims;
      return next();
    }
    if (verdict?.reason === 'feed_stale')
      throw new AppError('service_unavailable', { headers: { 'Retry-After': '1' } });
    throw new AppError('invalid_token', { headers: bearerChallenge });
  };
}

/** The claims `requireToken` let through. */
export function claimsOf(state: { claims?: AccessClaims }): AccessClaims {
  if (!state.claims) throw new AppError('invalid_token', { headers: bearerChallenge });
  return state.claims;
}
