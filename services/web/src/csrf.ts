import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Layer, Router } from '@koa/router';
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

/** Redraws a refused form (with expiredFormText) so the person can send it again. */
export type CsrfRejected = (ctx: Context) => Promise<void> | void;

export interface CsrfOptions {
  publicOrigin: string;
  logger: Logger;
  /** The app's routes: the guard looks up which re-render (or exemption) the matched route names. */
  router: Router;
  /** The answer for a refused request whose route names no re-render of its own. */
  refused: CsrfRejected;
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
const rejection = Symbol('csrf re-render');
const exemption = Symbol('csrf exemption');

type Marked = Middleware & { [rejection]?: CsrfRejected; [exemption]?: string };

declare module 'koa' {
  interface DefaultState {
    /** Set by the guard when this request failed the check; the route's onCsrfRejected answers it. */
    csrfRefused?: boolean;
  }
}

/**
 * The check, installed once in front of every route: any request that is
 * not GET/HEAD/OPTIONS/TRACE must pass it. A refused request changes nothing
 * and gets a 403: the form again with a note when the route said how to draw
 * it (onCsrfRejected), a plain "form expired" page otherwise.
 */
export function csrfGuard(options: CsrfOptions): Middleware {
  const allowed = new Set([options.publicOrigin]);
  return async (ctx, next) => {
    if (safeMethods.has(ctx.method)) return next();
    const layers = options.router.match(ctx.path, ctx.method).pathAndMethod.filter((l) => l.methods.length > 0);
    // No route takes this method here: nothing can change, and the router answers 404 or 405.
    if (layers.length === 0 || layers.every((l) => exemptionOf(l) !== undefined)) return next();
    const failure = csrfFailure(ctx, allowed);
    if (failure === undefined) return next();
    options.logger.warn(
      { req_id: ctx.state.requestId, path: ctx.path, reason: failure, ip: ctx.ip, event: 'csrf_refused' },
      'state-changing request refused: CSRF check failed',
    );
    // The route runs only up to its onCsrfRejected, which redraws the form and stops there.
    if (reRenderOf(layers[0]!)) {
      ctx.state.csrfRefused = true;
      return next();
    }
    ctx.status = 403;
    await options.refused(ctx);
    ctx.status = 403;
  };
}

/**
 * Names a route's own answer to a refused request: put it before the handler
 * (after checks that only read, such as requireSignedIn). Only ever reached
 * through the guard; on an accepted request it just passes on.
 */
export function onCsrfRejected(render: CsrfRejected): Middleware {
  const middleware: Marked = async (ctx, next) => {
    if (!ctx.state.csrfRefused) return next();
    ctx.status = 403;
    await render(ctx);
    ctx.status = 403;
  };
  middleware[rejection] = render;
  return middleware;
}

/** Takes an unsafe route out of the check; the reason is required and shows in the router-walk test. */
export function csrfExempt(reason: string): Middleware {
  if (reason.trim().length < 10)
    throw new Error('csrfExempt needs a reason saying why this route is safe without the check');
  const middleware: Marked = (_ctx, next) => next();
  middleware[exemption] = reason;
  return middleware;
}

/** The route's own re-render, if a middleware before its handler names one. */
export function reRenderOf(layer: Layer): CsrfRejected | undefined {
  return layer.stack
    .slice(0, -1)
    .map((m) => (m as Marked)[rejection])
    .find((r) => r !== undefined);
}

/** Why the route is exempt, if it is. */
export function exemptionOf(layer: Layer): string | undefined {
  return layer.stack.map((m) => (m as Marked)[exemption]).find((r) => r !== undefined);
}

/** Routes the guard applies to: every method but GET, HEAD, OPTIONS and TRACE. */
export function unsafeMethods(layer: Layer): string[] {
  return layer.methods.filter((m) => !safeMethods.has(m));
}
