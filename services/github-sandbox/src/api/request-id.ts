import { randomBytes } from 'node:crypto';
import type { Middleware } from 'koa';

declare module 'koa' {
  interface DefaultState {
    githubRequestId?: string;
  }
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex').toUpperCase();

/** GitHub's x-github-request-id, on every answer (REST, OAuth and git alike). */
export function githubRequestId(): Middleware {
  return async (ctx, next) => {
    const id = `${hex(2)}:${hex(2)}:${hex(3)}:${hex(3)}:${Math.floor(Date.now() / 1000)
      .toString(16)
      .toUpperCase()}`;
    ctx.state.githubRequestId = id;
    ctx.set('x-github-request-id', id);
    await next();
  };
}
