import type { Context, Middleware } from 'koa';
import { AppError, type Clock, type Logger } from '@gatehouse/service-kit';
import type { Verifier } from '@gatehouse/token-verifier';
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
  /** Checks access tokens locally (signature, expiry, the revocation feed). */
  verifier: Pick<Verifier, 'verify'>;
  clock: Clock;
  logger: Logger;
}

/**
 * Everything about the tokens behind a signed-in session. They live only in
 * the server-side session; the browser never sees them.
 */
export function createSignedIn(options: SignedInOptions) {
  const { auth, verifier, clock, logger } = options;
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
      const set = await pending;
      const tokens = toTokens(set);
      // A refresh is also when the profile is read again: it may have changed elsewhere.
      const profile = await auth.me(set.access_token, callOf(ctx));
      const session = sessionOf(ctx);
      if (session.user) session.user = { ...session.user, tokens, username: profile.username, profile };
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

  const sessionsApi = {
    /** Starts a signed-in session under a new id (no fixation), with a new form token. */
    async begin(ctx: Context, set: TokenSet, profile: Profile): Promise<void> {
      const user: SignedIn = { userId: profile.id, username: profile.username, tokens: toTokens(set), profile };
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

    /**
     * Keeps the tokens of a session current and checks them locally, so a
     * login revoked anywhere ends here on the next page, without a call to
     * auth. A token the verifier refuses gets one refresh (it may merely be
     * old); if auth refuses that too, the session is over.
     */
    async keepFresh(ctx: Context): Promise<boolean> {
      const user = sessionOf(ctx).user;
      if (!user) return false;
      try {
        const tokens = await freshTokens(ctx, user);
        const verdict = await verifier.verify(tokens.accessToken);
        if (verdict.ok) return true;
        if (verdict.reason === 'feed_stale')
          throw new AppError('service_unavailable', { message: 'Token revocations are not current.' });
        if (verdict.reason === 'revoked') return false;
        const again = await refresh(ctx, sessionOf(ctx).user ?? user);
        const second = await verifier.verify(again.accessToken);
        // A fresh token from auth whose key we cannot load yet: auth's keys are unreachable, not the login over.
        if (!second.ok && second.reason === 'unknown_key') throw new AppError('service_unavailable');
        return second.ok;
      } catch (err) {
        if (err instanceof SessionEnded) return false;
        throw err;
      }
    },

    /** The profile pages show, from the session; read from auth only when the session has none yet. */
    async profile(ctx: Context): Promise<Profile> {
      const user = sessionOf(ctx).user;
      if (user?.profile) return user.profile;
      return sessionsApi.reloadProfile(ctx);
    },

    /** Reads the profile from auth again, after something changed it (a new password, a confirmed address). */
    async reloadProfile(ctx: Context): Promise<Profile> {
      const profile = await sessionsApi.withAccess(ctx, (token) => auth.me(token, callOf(ctx)));
      const session = sessionOf(ctx);
      if (session.user) session.user = { ...session.user, username: profile.username, profile };
      return profile;
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
  return sessionsApi;
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
    // Nobody could vouch for the session's token (feed stale and auth away): no personal page.
    if (ctx.state.sessionUnverified) throw new AppError('service_unavailable');
    try {
      await next();
    } catch (err) {
      if (!(err instanceof SessionEnded)) throw err;
      await regenerate(ctx, clock, {
        flash: { kind: 'info', text: 'Your session has ended. Log in again to continue.' },
      });
      seeOther(ctx, `/login?next=${encodeURIComponent(ctx.method === 'GET' ? ctx.path : '/account')}`);
    }
  };
}
