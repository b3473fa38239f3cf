import Router from '@koa/router';
import { z } from 'zod';
import { AppError, fieldIssue, textField, validate } from '@gatehouse/service-kit';
import type { AuthDeps } from '../deps.js';
import { passwordGrant, refreshGrant } from '../domain/sessions.js';

const passwordBody = z.strictObject({
  grant_type: z.literal('password'),
  username: textField('username_required', 'Enter your username or email.').refine(
    (v) => v.length >= 1 && v.length <= 254,
    fieldIssue('username_invalid', 'Enter your username or email (at most 254 characters).'),
  ),
  password: textField('password_required', 'Enter your password.').refine(
    (v) => v.length >= 1 && v.length <= 1024,
    fieldIssue('password_invalid'),
  ),
  device_token: textField('device_token_invalid')
    .refine((v) => v.length <= 512, fieldIssue('device_token_invalid'))
    .optional(),
});
const refreshBody = z.strictObject({
  grant_type: z.literal('refresh_token'),
  refresh_token: textField('refresh_token_required').refine(
    (v) => v.length >= 1 && v.length <= 512,
    fieldIssue('refresh_token_invalid'),
  ),
});

/** The OAuth 2 token endpoint: password and refresh_token grants. */
export function tokenRoutes(deps: AuthDeps) {
  return new Router().post('/v1/token', async (ctx) => {
    const input = ctx.request.body as { grant_type?: unknown } | undefined;
    // Token responses must never be cached (RFC 6749 §5.1), errors included.
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Pragma', 'no-cache');
    if (input?.grant_type === 'password') {
      const { username, password, device_token: deviceToken } = validate(passwordBody, input);
      ctx.body = await passwordGrant(deps, username, password, { ip: ctx.ip, deviceToken });
    } else if (input?.grant_type === 'refresh_token') {
      ctx.body = await refreshGrant(deps, validate(refreshBody, input).refresh_token, ctx.ip);
    } else {
      throw new AppError('unsupported_grant_type');
    }
  });
}
