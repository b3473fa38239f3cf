import Router from '@koa/router';
import { z } from 'zod';
import { AppError, validate } from '@gatehouse/service-kit';
import type { AuthDeps } from '../deps.js';
import { passwordGrant, refreshGrant } from '../domain/sessions.js';

const passwordBody = z.strictObject({
  grant_type: z.literal('password'),
  username: z.string({ message: 'username_required: Enter your username or email.' }).min(1).max(254),
  password: z.string({ message: 'password_required: Enter your password.' }).min(1).max(1024),
});
const refreshBody = z.strictObject({
  grant_type: z.literal('refresh_token'),
  refresh_token: z.string({ message: 'refresh_token_required: The refresh token is missing.' }).min(1).max(512),
});

/** The OAuth 2 token endpoint: password and refresh_token grants. */
export function tokenRoutes(deps: AuthDeps) {
  return new Router().post('/v1/token', async (ctx) => {
    const input = ctx.request.body as { grant_type?: unknown } | undefined;
    // Token responses must never be cached (RFC 6749 §5.1), errors included.
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Pragma', 'no-cache');
    if (input?.grant_type === 'password') {
      const { username, password } = validate(passwordBody, input);
      ctx.body = await passwordGrant(deps, username, password, ctx.ip);
    } else if (input?.grant_type === 'refresh_token') {
      ctx.body = await refreshGrant(deps, validate(refreshBody, input).refresh_token, ctx.ip);
    } else {
      throw new AppError('unsupported_grant_type');
    }
  });
}
