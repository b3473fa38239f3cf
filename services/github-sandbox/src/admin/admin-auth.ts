import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { AppError } from '@gatehouse/service-kit';

const digest = (s: string) => createHash('sha256').update(s).digest();
export const adminPrefix = '/_sandbox/';

/**
 * Guards every admin path at once: off (404) without a configured token,
 * 401 without the right bearer token. Assets and avatars are public.
 */
export function adminAuth(adminToken: string | undefined, publicPaths: string[]): Middleware {
  const expected = adminToken ? digest(adminToken) : undefined;
  return async (ctx, next) => {
    if (!ctx.path.startsWith(adminPrefix) || publicPaths.some((p) => ctx.path.startsWith(p))) return next();
    if (!expected)
      throw new AppError('not_found', { message: 'The admin API is off: set SANDBOX_ADMIN_TOKEN to turn it on.' });
    const sent = /^Bearer (\S+)$/.exec(ctx.get('authorization'))?.[1] ?? '';
    if (!timingSafeEqual(digest(sent), expected)) {
      throw new AppError('invalid_token', { headers: { 'WWW-Authenticate': 'Bearer realm="github-sandbox-admin"' } });
    }
    await next();
  };
}
