import Router from '@koa/router';
import { z } from 'zod';
import { fieldIssue, textField, validate } from '@gatehouse/service-kit';
import type { AuthDeps } from '../deps.js';
import { resendConfirmation } from '../domain/accounts.js';
import { confirmEmail } from '../domain/confirmation.js';
import { emailField, secretTokenField } from '../schemas.js';

const confirmBody = z.strictObject({
  token: secretTokenField,
  binding: secretTokenField.optional(),
  password: textField('password_required')
    .refine((v) => v.length >= 1 && v.length <= 1024, fieldIssue('password_required'))
    .optional(),
});
const resendBody = z.strictObject({ email: emailField });

export function emailRoutes(deps: AuthDeps) {
  return new Router()
    .post('/v1/email/confirm', async (ctx) => {
      const { token, ...proof } = validate(confirmBody, ctx.request.body);
      ctx.body = await confirmEmail(deps, token, proof, ctx.ip);
    })
    .post('/v1/email/resend', async (ctx) => {
      await resendConfirmation(deps, validate(resendBody, ctx.request.body).email);
      ctx.status = 202;
      ctx.body = { status: 'confirmation_sent_if_pending' };
    });
}
