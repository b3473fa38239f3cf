import Router from '@koa/router';
import type { Context } from 'koa';
import { isRejection } from '../auth-client.js';
import { onCsrfRejected } from '../csrf.js';
import { expiredFormText, fieldErrorsFrom, formText, throttled, waitText, type FieldErrors } from '../forms.js';
import { tokenPage } from '../security-headers.js';
import { regenerate, sessionOf } from '../session/session.js';
import { callOf, seeOther } from '../signed-in.js';
import { render } from '../views.js';
import type { RouteDeps } from './deps.js';

interface ForgotForm {
  email?: string;
  errors?: FieldErrors;
  formError?: string;
}

interface ResetForm {
  state: 'form' | 'invalid';
  token?: string;
  errors?: FieldErrors;
  formError?: string;
}

const showForgot = (ctx: Context, form: ForgotForm, status?: number) =>
  render(ctx, 'forgot-password', { email: '', errors: {}, ...form }, status);
const showReset = (ctx: Context, form: ResetForm, status?: number) =>
  render(ctx, 'reset-password', { token: '', errors: {}, ...form }, status);

export function passwordResetRoutes(deps: RouteDeps) {
  const router = new Router();

  router.get('/forgot-password', async (ctx) => {
    await showForgot(ctx, {});
  });

  router.post(
    '/forgot-password',
    onCsrfRejected((ctx) => showForgot(ctx, { email: formText(ctx, 'email'), formError: expiredFormText })),
    async (ctx) => {
      const email = formText(ctx, 'email').trim();
      if (email === '')
        return showForgot(ctx, { email, errors: { email: 'Enter the email address of your account.' } }, 400);
      try {
        await deps.auth.forgotPassword(email, callOf(ctx));
      } catch (err) {
        if (isRejection(err, 'validation_failed')) return showForgot(ctx, { email, errors: fieldErrorsFrom(err) }, 400);
        if (isRejection(err, 'too_many_requests')) {
          throttled(ctx, err);
          const formError = `We sent a link for this address a moment ago. You can ask for another ${waitText(err.retryAfter)}.`;
          return showForgot(ctx, { email, formError }, 429);
        }
        throw err;
      }
      sessionOf(ctx).checkEmail = email;
      seeOther(ctx, '/forgot-password/sent');
    },
  );

  // Worded the same whether or not the address has an account.
  router.get('/forgot-password/sent', async (ctx) => {
    await render(ctx, 'forgot-password-sent', { email: sessionOf(ctx).checkEmail ?? '' });
  });

  router.get('/reset-password', tokenPage, async (ctx) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    if (token === '' || token.length > 512) return showReset(ctx, { state: 'invalid' }, 400);
    // The token is checked when the new password is sent: checking it now would need a second, state-free endpoint at auth.
    await showReset(ctx, { state: 'form', token });
  });

  router.post(
    '/reset-password',
    tokenPage,
    onCsrfRejected((ctx) =>
      showReset(ctx, { state: 'form', token: formText(ctx, 'token'), formError: expiredFormText }),
    ),
    async (ctx) => {
      const token = formText(ctx, 'token');
      const password = formText(ctx, 'password');
      if (token === '') return showReset(ctx, { state: 'invalid' }, 400);
      if (password === '')
        return showReset(ctx, { state: 'form', token, errors: { password: 'Choose a new password.' } }, 400);
      try {
        await deps.auth.resetPassword(token, password, callOf(ctx));
      } catch (err) {
        if (isRejection(err, 'invalid_or_expired_token')) return showReset(ctx, { state: 'invalid' }, 400);
        if (isRejection(err, 'validation_failed')) {
          const errors = fieldErrorsFrom(err);
          if (errors.token) return showReset(ctx, { state: 'invalid' }, 400);
          return showReset(ctx, { state: 'form', token, errors }, 400);
        }
        if (isRejection(err, 'too_many_requests'))
          return showReset(ctx, { state: 'form', token, formError: throttled(ctx, err) }, 429);
        throw err;
      }
      // Auth revoked every session of the account; this browser's, if any, goes too.
      await regenerate(ctx, deps.clock, {
        flash: {
          kind: 'success',
          text: 'Your password is changed and every device was logged out. Log in with your new password.',
        },
      });
      seeOther(ctx, '/login');
    },
  );

  return router;
}
