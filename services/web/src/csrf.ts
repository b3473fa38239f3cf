import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import type { Logger } from '@gatehouse/service-kit';
import { sessionOf } from './session/session.js';

/** The session's synchronizer token, created the first time a form needs it. */
export function csrfToken(ctx: Context): string {
  const session = sessionOf(ctx);
  session.csrf ??= randomBytes(32).toString('base64url');
  return session.csrf;
}

export type CsrfFailure = 'cross_site' | 'foreign_origin' | 'missing_token' | 'token_mismatch';

/**
 * Why a state-changing request must be refused, or undefined when it may go on.
 * Fetch metadata first: a browser that says the form came from another site
 * (or a sibling subdomain, the classic cookie-tossing source) is refused
 * outright. Browsers too old to send it are held to a matching Origin. Either
 * way the form must carry the session's token.
 */
export function csrfFailure(ctx: Context, allowedOrigins: ReadonlySet<string>): CsrfFailure | undefined {
  const site = ctx.get('sec-fetch-site');
  if (site === 'cross-site' || site === 'same-site') return 'cross_site';
  // Compared with PUBLIC_URL's origin only: Koa 3's ctx.origin echoes the Origin header itself.
  const origin = ctx.get('origin');
  if (!site && origin && !allowedOrigins.has(origin)) return 'foreign_origin';
  const body = ctx.request.body as Record<string, unknown> | undefined;
  const sent = body?._csrf;
  const expected = sessionOf(ctx).csrf;
  if (typeof sent !== 'string' || sent === '' || expected === undefined) return 'missing_token';
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b) ? undefined : 'token_mismatch';
}

export type CsrfRejected = (ctx: Context) => Promise<void> | void;

export interface CsrfOptions {
  publicOrigin: string;
  logger: Logger;
}

/**
 * Guards one POST route. A refused request changes nothing and gets the same
 * form back (403) with a note, so the person can simply send it again.
 */
export function csrfGuard(options: CsrfOptions) {
  const allowed = new Set([options.publicOrigin]);
  return (onRejected: CsrfRejected): Middleware =>
    async (ctx, next) => {
      const failure = csrfFailure(ctx, allowed);
      if (failure === undefined) return next();
      options.logger.warn(
        { req_id: ctx.state.requestId, path: ctx.path, reason: failure, ip: ctx.ip, event: 'csrf_refused' },
        'state-changing request refused: CSRF check failed',
      );
      ctx.status = 403;
      await onRejected(ctx);
      ctx.status = 403;
    };
}
