import Router from '@koa/router';
import { z } from 'zod';
import { fieldIssue, textField, validate } from '@gatehouse/service-kit';
import type { AuthDeps } from '../deps.js';
import { changePassword, forgotPassword, resetPassword } from '../domain/passwords.js';
import { claimsOf, requireAccessToken } from '../http/bearer.js';
import { emailField, passwordField, secretTokenField } from '../schemas.js';

const changeBody = z.strictObject({
  current_password: textField('current_password_required').refine(
    (v) => v.length >= 1 && v.length <= 1024,
    fieldIssue('current_password_invalid'),
  ),
  new_password: textField('new_password_required').refine((v) => v.length >= 1, fieldIssue('new_password_required')),
});
const forgotBody = z.strictObject({ email: emailField });
const resetBody = z.strictObject({ token: secretTokenField, password: passwordField });

export function passwordRoutes(deps: AuthDeps) {
  return new Router()
    .post('/v1/password/change', requireAccessToken(deps), async (ctx) => {
      const body = validate(changeBody, ctx.request.body);
      await changePassword(deps, claimsOf(ctx.state), body.current_password, body.new_password, ctx.ip);
      ctx.status = 204;
    })
    .post('/v1/password/forgot', async (ctx) => {
      await forgotPassword(deps, validate(forgotBody, ctx.request.body).email, ctx.ip);
      ctx.status = 202;
      ctx.body = { status: 'reset_sent_if_registered' };
    })
    .post('/v1/password/reset', async (ctx) => {
      const { token, password } = validate(resetBody, ctx.request.body);
      await resetPassword(deps, token, password, ctx.ip);
      ctx.status = 204;
    });
}
