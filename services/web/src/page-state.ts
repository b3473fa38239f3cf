import type { Middleware } from 'koa';
import { isAppError, type Clock, type Logger } from '@gatehouse/service-kit';
import type { AssetSet } from './assets.js';
import { csrfToken } from './csrf.js';
import { regenerate, sessionOf } from './session/session.js';
import type { SignedInSessions } from './signed-in.js';

declare module 'koa' {
  interface DefaultState {
    /** The session's token could not be checked on this request. */
    sessionUnverified?: boolean;
  }
}

export interface PageStateOptions {
  assets: AssetSet;
  signedIn: SignedInSessions;
  clock: Clock;
  logger: Logger;
  /** GitHub sign-in and mirroring are configured: pages show their buttons. */
  github: boolean;
}

/**
 * What every template may use: who is signed in, the form token (created
 * only when a page has a form) and asset URLs. Page views also keep the
 * tokens current, so a login revoked elsewhere ends here within one
 * moment the revocation feed says so, without calling auth.
 */
export function pageState(options: PageStateOptions): Middleware {
  const { assets, signedIn, clock, logger, github } = options;
  return async (ctx, next) => {
    ctx.state.asset = (name: string) => assets.url(name);
    ctx.state.csrf = () => csrfToken(ctx);
    ctx.state.path = ctx.path;
    ctx.state.github = github;
    if (sessionOf(ctx).user && ctx.method === 'GET') {
      try {
        if (!(await signedIn.keepFresh(ctx))) {
          await regenerate(ctx, clock, {
            flash: { kind: 'info', text: 'Your session has ended. Log in again to continue.' },
          });
        }
      } catch (err) {
        // Auth being briefly away must not take down pages that do not need it; pages that do refuse.
        if (!isAppError(err) || err.status !== 503) throw err;
        ctx.state.sessionUnverified = true;
        logger.warn({ req_id: ctx.state.requestId }, "could not check the session's tokens: auth unavailable");
      }
    }
    const user = sessionOf(ctx).user;
    ctx.state.user = user ? { username: user.username } : undefined;
    await next();
  };
}
