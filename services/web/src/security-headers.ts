import type { Middleware } from 'koa';

export interface SecurityHeaderOptions {
  https: boolean;
}

/**
 * Headers every response carries. The pages run no script at all, so the
 * policy allows none; styles and images come from this origin only.
 * Everything is no-store by default because every page is personal or holds
 * a form token; fingerprinted assets override that.
 */
export function securityHeaders(options: SecurityHeaderOptions): Middleware {
  const csp = [
    "default-src 'none'",
    "script-src 'none'",
    "style-src 'self'",
    "img-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
    ...(options.https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
  const fixed: Record<string, string> = {
    'Content-Security-Policy': csp,
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

/** For pages whose URL carries a secret (confirmation and reset links). */
export const tokenPage: Middleware = async (ctx, next) => {
  ctx.set('Referrer-Policy', 'no-referrer');
  await next();
};
