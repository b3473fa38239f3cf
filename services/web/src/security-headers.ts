import type { Middleware } from 'koa';

export interface SecurityHeaderOptions {
  https: boolean;
  /** Origins a form may lead to besides this one: GitHub, where "Sign in with GitHub" and "Connect" redirect. */
  formTargets?: string[];
  /** This site's origin with a ws: or wss: scheme, for the pages that open a WebSocket. */
  socketOrigin?: string;
}

/**
 * The pages run no script, so the policy allows none; styles and images come
 * from this origin only. The one page with a script (/mirror's live progress)
 * widens it for itself, with pageScript.
 */
function policy(options: SecurityHeaderOptions, script: boolean): string {
  return [
    "default-src 'none'",
    script ? "script-src 'self'" : "script-src 'none'",
    ...(script ? [`connect-src 'self'${options.socketOrigin ? ` ${options.socketOrigin}` : ''}`] : []),
    "style-src 'self'",
    "img-src 'self'",
    ["form-action 'self'", ...(options.formTargets ?? [])].join(' '),
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
    ...(options.https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

/**
 * Headers every response carries. Everything is no-store by default because
 * every page is personal or holds a form token; fingerprinted assets override that.
 */
export function securityHeaders(options: SecurityHeaderOptions): Middleware {
  const fixed: Record<string, string> = {
    'Content-Security-Policy': policy(options, false),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
    'Cache-Control': 'no-store',
    ...(options.https ? { 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains' } : {}),
  };
  return async (ctx, next) => {
    ctx.set(fixed);
    await next();
  };
}

/** For a page that loads this site's own scripts and opens a socket back to it. */
export function pageScript(options: SecurityHeaderOptions): Middleware {
  const csp = policy(options, true);
  return async (ctx, next) => {
    ctx.set('Content-Security-Policy', csp);
    await next();
  };
}

/** For pages whose URL carries a secret (confirmation and reset links). */
export const tokenPage: Middleware = async (ctx, next) => {
  ctx.set('Referrer-Policy', 'no-referrer');
  await next();
};
