import type { Context } from 'koa';

// Browsers keep a cookie at most 400 days; a device that logs in again gets it renewed.
const maxAgeMs = 400 * 24 * 3600_000;

/**
 * Where a browser keeps the device token auth gave it at its last login (one
 * account per browser: the newest login's). Sent back with every login, it
 * lets this browser in although other clients keep failing on the account.
 * httpOnly: page scripts never see it; the token is auth's to verify, so it
 * needs no signature of web's own.
 */
export function deviceCookie(sessionCookie: string, secure: boolean) {
  const name = `${sessionCookie}-device`;
  return {
    // A mangled cookie is no cookie: auth would refuse the whole login as malformed.
    read(ctx: Context): string | undefined {
      const value = ctx.cookies.get(name, { signed: false });
      return value && /^[\w.-]{1,512}$/.test(value) ? value : undefined;
    },
    write(ctx: Context, token: string | undefined): void {
      if (!token) return;
      ctx.cookies.set(name, token, {
        httpOnly: true,
        sameSite: 'lax',
        secure,
        maxAge: maxAgeMs,
        signed: false,
        overwrite: true,
      });
    },
  };
}

export type DeviceCookie = ReturnType<typeof deviceCookie>;
