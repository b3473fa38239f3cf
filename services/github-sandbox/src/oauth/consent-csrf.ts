import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';

const cookie = 'sandbox_csrf';

/** The form token, kept in a cookie and echoed by the form (double submit). */
export function consentToken(ctx: Context): string {
  const current = ctx.cookies.get(cookie);
  if (current && /^[A-Za-z0-9_-]{43}$/.test(current)) return current;
  const fresh = randomBytes(32).toString('base64url');
  ctx.cookies.set(cookie, fresh, { httpOnly: true, sameSite: 'lax', overwrite: true });
  return fresh;
}

/**
 * A consent another site submits would grant that site a token: refused when the
 * browser says the form came from elsewhere, or when the form lacks the cookie's token.
 */
export function consentFormIsOurs(ctx: Context): boolean {
  const site = ctx.get('sec-fetch-site');
  if (site === 'cross-site' || site === 'same-site') return false;
  const sent = (ctx.request.body as Record<string, unknown>)._csrf;
  const expected = ctx.cookies.get(cookie);
  if (typeof sent !== 'string' || !expected) return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
