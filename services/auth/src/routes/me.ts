import Router from '@koa/router';
import type { AuthDeps } from '../deps.js';
import { currentUser } from '../domain/sessions.js';
import { publicUser } from '../domain/users.js';
import { claimsOf, requireAccessToken } from '../http/bearer.js';

export function meRoutes(deps: AuthDeps) {
  return new Router().get('/v1/me', requireAccessToken(deps), async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = publicUser(await currentUser(deps, claimsOf(ctx.state)));
  });
}
