import type { Context, Middleware } from 'koa';
import type { Clock, Logger } from '@gatehouse/service-kit';
import { isRejection, type AuthClient, type CallContext, type Profile, type TokenSet } from './auth-client.js';
import { regenerate, sessionOf, type SignedIn, type Tokens } from './session/session.js';

/** The login behind this session is over (revoked, expired, or logged out elsewhere). */
export class SessionEnded extends Error {
  constructor() {
    super('the signed-in session has ended');
    this.name = 'SessionEnded';
  }
}

export function callOf(ctx: Context): CallContext {
  return { requestId: ctx.state.requestId, clientIp: ctx.ip };
}

// Refresh a little early, so a token never expires between our check and auth's.
const earlyMs = 30_000;

export interface SignedInOptions {
  auth: AuthClient;
  clock: Clock;
  logger: Logger;
}

/**
 * Everything about the tokens behind a signed-in session. They live only in
 * the server-side session; the browser never sees them.
 */
export function createSignedIn(options: SignedInOptions) {
  const { auth, clock, logger } = options;
  // One refresh per refresh token per process: parallel page loads from one
  // browser share it instead of racing auth's rotation (whose reuse grace
  // covers the same race across replicas).
  const inFlight = new Map<string, Promise<TokenSet>>();

  const toTokens = (set: TokenSet): Tokens => ({
    accessToken: set.access_token,
    accessExpiresAt: clock.now().getTime() + set.expires_in * 1000,
    refreshToken: set.refresh_token,
  });

  async function refresh(ctx: Context, user: SignedIn): Promise<Tokens> {
    const used = user.tokens.refreshToken;
    let pending = inFlight.get(used);
    if (!pending) {
      pending = auth.refreshGrant(used, callOf(ctx)).finally(() => inFlight.delete(used));
      inFlight.set(used, pending);
    }
    try {
      const tokens = toTokens(await pending);
      const session = sessionOf(ctx);
      if (session.user) session.user = { ...session.user, tokens };
      return tokens;
    } catch (err) {
      if (isRejection(err, 'invalid_refresh_token')) throw new SessionEnded();
      throw err;
    }
  }

  async function freshTokens(ctx: Context, user: SignedIn): Promise<Tokens> {
    if (user.tokens.accessExpiresAt - earlyMs > clock.now().getTime()) return user.tokens;
    return refresh(ctx, user);
  }

  return {
    /** Starts a signed-in session under a new id (no fixation), with a new form token. */
    async begin(ctx: Context, set: TokenSet, profile: Profile): Promise<void> {
      const user: SignedIn = { userId: profile.id, username: profile.username, tokens: toTokens(set) };
      await regenerate(ctx, clock, { user });
    },

    /** Calls auth as the signed-in person, refreshing the access token when it is stale or refused. */
    async withAccess<T>(ctx: Context, call: (accessToken: string) => Promise<T>): Promise<T> {
      const user = sessionOf(ctx).user;
      if (!user) throw new SessionEnded();
      const tokens = await freshTokens(ctx, user);
      try {
        return await call(tokens.accessToken);
      } catch (err) {
        if (!isRejection(err, 'invalid_token')) throw err;
        const again = await refresh(ctx, sessionOf(ctx).user ?? user);
        try {
          return await call(again.accessToken);
        } catch (retryErr) {
          if (isRejection(retryErr, 'invalid_token')) throw new SessionEnded();
          throw retryErr;
        }
      }
    },

    /** Keeps the tokens of a session current, so a revoked login is noticed on the next page. */
    async keepFresh(ctx: Context): Promise<boolean> {
      const user = sessionOf(ctx).user;
      if (!user) return false;
      try {
        await freshTokens(ctx, user);
        return true;
      } catch (err) {
        if (err instanceof SessionEnded) return false;
        throw err;
      }
    },

    /** Revokes at auth (best effort: the local session ends whatever auth says). */
    async revoke(ctx: Context, user: SignedIn, scope: 'local' | 'global'): Promise<void> {
      try {
        const tokens = await freshTokens(ctx, user);
        await auth.logout(tokens.accessToken, scope, callOf(ctx));
      } catch (err) {
        if (err instanceof SessionEnded || isRejection(err)) return;
        if (scope === 'global') throw err;
        logger.warn({ req_id: ctx.state.requestId, err: (err as Error).message }, 'could not revoke tokens at logout');
      }
    },
  };
}

export type SignedInSessions = ReturnType<typeof createSignedIn>;

/** 303: after a form post, the browser follows with a GET. */
export function seeOther(ctx: Context, url: string): void {
  ctx.status = 303;
  ctx.redirect(url);
}

/** Pages only for signed-in people; others go to the login page and come back after. */
export function requireSignedIn(clock: Clock): Middleware {
  return async (ctx, next) => {
    if (!sessionOf(ctx).user) return seeOther(ctx, `/login?next=${encodeURIComponent(ctx.path)}`);
    try {
      await next();
    } catch (err) {
      if (!(err instanceof SessionEnded)) throw err;
      await regenerate(ctx, clock, { flash: { kind: 'info', text: 'Your session has ended. Log in again to continue.' } });
      seeOther(ctx, `/login?next=${encodeURIComponent(ctx.method === 'GET' ? ctx.path : '/account')}`);
    }
  };
}
