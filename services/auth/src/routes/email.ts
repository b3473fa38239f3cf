import Router from '@koa/router';
import { z } from 'zod';
import { validate } from '@gatehouse/service-kit';
import type { AuthDeps } from '../deps.js';
import { confirmEmail, resendConfirmation } from '../domain/accounts.js';
import { emailField, secretTokenField } from '../schemas.js';

const confirmBody = z.strictObject({ token: secretTokenField });
const resendBody = z.strictObject({ email: emailField });

export function emailRoutes(deps: AuthDeps) {
  return new Router()
    .post('/v1/email/confirm', async (ctx) => {
      const { token } = validate(confirmBody, ctx.request.body);
      ctx.body = { user: await confirmEmail(deps, token, ctx.ip) };
    })
    .post('/v1/email/resend', async (ctx) => {
      await resendConfirmation(deps, validate(resendBody, ctx.request.body).email);
      ctx.status = 202;
      ctx.body = { status: 'confirmation_sent_if_pending' };
    });
}
