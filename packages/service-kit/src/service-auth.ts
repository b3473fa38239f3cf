import { timingSafeEqual, createHash } from 'node:crypto';
import type { Middleware } from 'koa';
import { AppError } from './app-error.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Internal endpoints accept HTTP Basic `<service-name>:<SERVICE_SECRET>`.
 * Comparing digests keeps the comparison constant-time whatever the length.
 */
export function requireServiceCredential(secret: string): Middleware {
  const expected = digest(secret);
  return async (ctx, next) => {
    const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(ctx.get('authorization'));
    const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const service = colon > 0 ? decoded.slice(0, colon) : '';
    if (!service || !timingSafeEqual(digest(decoded.slice(colon + 1)), expected)) {
      throw new AppError('invalid_client', { headers: { 'WWW-Authenticate': 'Basic realm="gatehouse-internal"' } });
    }
    ctx.state.service = service;
    await next();
  };
}

declare module 'koa' {
  interface DefaultState {
    service?: string;
  }
}
