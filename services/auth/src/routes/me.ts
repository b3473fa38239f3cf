import Router from '@koa/router';
import { AppError } from '@gatehouse/service-kit';
import type { AuthDeps } from '../deps.js';
import { publicUser } from '../users/users.js';
import { requireAccessToken } from '../http/bearer.js';

export function meRoutes(deps: AuthDeps) {
  return new Router().get('/v1/me', requireAccessToken(deps, { withUser: true }), (ctx) => {
    if (!ctx.state.user) throw new AppError('invalid_token');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = publicUser(ctx.state.user);
  });
}
