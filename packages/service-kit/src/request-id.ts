import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';

declare module 'koa' {
  interface DefaultState {
    requestId: string;
  }
}

/**
 * A client- or edge-sent X-Request-ID is kept only if it looks like one.
 * nginx's $request_id is 32 hex chars; UUIDs and similar ids pass too. The
 * edge (nginx's map, the Node gateway) applies this same pattern.
 */
export const requestIdPattern = /^[A-Za-z0-9._:-]{8,128}$/;

/** Reuse the id nginx set so one request has one id across every log, else make one. */
export function requestId(): Middleware {
  return async (ctx, next) => {
    const incoming = ctx.get('x-request-id');
    const id = requestIdPattern.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = id;
    ctx.set('X-Request-ID', id);
    await next();
  };
}
