import type { Middleware } from 'koa';
import { AppError } from '@gatehouse/service-kit';
import type { AccessTokenVerifier, BearerClaims } from '../deps.js';

declare module 'koa' {
  interface DefaultState {
    claims?: BearerClaims;
  }
}

const challenge = { 'WWW-Authenticate': 'Bearer error="invalid_token"' };

/** The token of a request: the Authorization header, or `?token=` (browsers cannot set headers on a WebSocket). */
export function bearerOf(authorization: string | undefined, query?: string | null): string | undefined {
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(authorization ?? '');
  return match?.[1] ?? (query || undefined);
}

export function requireBearer(verifier: AccessTokenVerifier): Middleware {
  return async (ctx, next) => {
    const token = bearerOf(ctx.get('authorization'));
    const verdict = token ? await verifier.verify(token) : undefined;
    if (!verdict?.ok) throw new AppError('invalid_token', { headers: challenge });
    ctx.state.claims = verdict.claims;
    await next();
  };
}

export function userOf(state: { claims?: BearerClaims }): string {
  if (!state.claims) throw new AppError('invalid_token', { headers: challenge });
  return state.claims.sub;
}
