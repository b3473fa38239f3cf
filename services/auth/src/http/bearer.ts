import type { Middleware } from 'koa';
import { AppError } from '@gatehouse/service-kit';
import { bearerChallenge, parseBearer, requireToken, type Verdict } from '@gatehouse/token-verifier';
import type { AuthDeps } from '../deps.js';
import type { UserRow } from '../domain/users.js';

export { claimsOf } from '@gatehouse/token-verifier';

declare module 'koa' {
  interface DefaultState {
    user?: UserRow;
  }
}

type BearerDeps = Pick<AuthDeps, 'accessTokens' | 'tokenStatus'>;

/**
 * auth checks tokens with the token-verifier package like every service,
 * but asks its own revocation store (the truth the feed is built from)
 * rather than the feed.
 */
function ownVerifier(deps: BearerDeps) {
  return {
    async verify(token: string): Promise<Verdict> {
      const claims = deps.accessTokens.verify(token);
      if (!claims) return { ok: false, reason: 'bad_signature_or_claims' };
      return (await deps.tokenStatus.isRevoked(claims)) ? { ok: false, reason: 'revoked' } : { ok: true, claims };
    },
  };
}

/** With `withUser`, the user row is loaded in the same round trip as the revocation check. */
export function requireAccessToken(deps: BearerDeps, options: { withUser?: boolean } = {}): Middleware {
  if (!options.withUser) return requireToken(ownVerifier(deps));
  return async (ctx, next) => {
    const token = parseBearer(ctx.get('authorization'));
    const claims = token ? deps.accessTokens.verify(token) : null;
    const user = claims ? await deps.tokenStatus.activeUser(claims) : null;
    if (!claims || !user) throw new AppError('invalid_token', { headers: bearerChallenge });
    ctx.state.claims = claims;
    ctx.state.user = user;
    await next();
  };
}
