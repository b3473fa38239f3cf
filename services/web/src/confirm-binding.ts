import { createHmac, createSecretKey, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';

/**
 * The cookie that lets the browser which signed up confirm its address in
 * one click. It carries the binding auth handed out at signup (which names
 * the pending account to auth, and to no one else), signed with a key derived
 * from SESSION_SECRET, so only a value this site set is ever passed on.
 * HttpOnly, and SameSite=Lax so it rides along when the mailed link is opened.
 */
export interface ConfirmBindingCookie {
  set(ctx: Context, binding: string, maxAgeSeconds: number): void;
  /** The binding, if the request carries a cookie this site signed. */
  read(ctx: Context): string | undefined;
  clear(ctx: Context): void;
}

export function createConfirmBindingCookie(secret: string, https: boolean): ConfirmBindingCookie {
  const key = Buffer.from(
    hkdfSync('sha256', createSecretKey(Buffer.from(secret, 'utf8')), '', 'gatehouse-web-confirm', 32),
  );
  const sign = (value: string) => createHmac('sha256', key).update(value).digest('base64url');
  // __Host- on https: no subdomain can plant a binding of its own.
  const name = https ? '__Host-gatehouse-confirm' : 'gatehouse-confirm';
  const options = { httpOnly: true, sameSite: 'lax' as const, path: '/', secure: https, overwrite: true };
  return {
    set(ctx, binding, maxAgeSeconds) {
      ctx.cookies.set(name, `${binding}.${sign(binding)}`, { ...options, maxAge: maxAgeSeconds * 1000 });
    },
    read(ctx) {
      const raw = ctx.cookies.get(name) ?? '';
      const dot = raw.lastIndexOf('.');
      if (dot <= 0) return undefined;
      const binding = raw.slice(0, dot);
      const presented = Buffer.from(raw.slice(dot + 1));
      const expected = Buffer.from(sign(binding));
      return presented.length === expected.length && timingSafeEqual(presented, expected) ? binding : undefined;
    },
    clear(ctx) {
      ctx.cookies.set(name, '', { ...options, maxAge: 0 });
    },
  };
}
