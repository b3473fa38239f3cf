import Router from '@koa/router';
import { z } from 'zod';
import { fieldIssue, validate } from '@gatehouse/service-kit';
import type { AuthDeps } from '../deps.js';
import { logout } from '../domain/sessions.js';
import { claimsOf, requireAccessToken } from '../http/bearer.js';

const body = z.strictObject({
  scope: z
    .custom<'local' | 'global'>((v) => v === 'local' || v === 'global', fieldIssue('scope_invalid'))
    .default('local'),
});

export function logoutRoutes(deps: AuthDeps) {
  return new Router().post('/v1/logout', requireAccessToken(deps), async (ctx) => {
    const { scope } = validate(body, ctx.request.body ?? {});
    await logout(deps, claimsOf(ctx.state), scope, ctx.ip);
    ctx.status = 204;
  });
}
