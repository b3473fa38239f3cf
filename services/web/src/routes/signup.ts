import Router from '@koa/router';
import type { Context } from 'koa';
import { isRejection } from '../auth-client.js';
import { onCsrfRejected } from '../csrf.js';
import { expiredFormText, fieldErrorsFrom, formText, requireFields, throttled, type FieldErrors } from '../forms.js';
import { sessionOf } from '../session/session.js';
import { callOf, seeOther } from '../signed-in.js';
import { render } from '../views.js';
import type { RouteDeps } from './deps.js';

interface SignupForm {
  values?: { username?: string; email?: string };
  errors?: FieldErrors;
  formError?: string;
}

// The password is never sent back into the page, even when other fields are.
const show = (ctx: Context, form: SignupForm, status?: number) =>
  render(ctx, 'signup', { values: {}, errors: {}, ...form }, status);

export function signupRoutes(deps: RouteDeps) {
  const router = new Router();

  router.get('/signup', async (ctx) => {
    if (sessionOf(ctx).user) return seeOther(ctx, '/account');
    await show(ctx, {});
  });

  router.post(
    '/signup',
    onCsrfRejected((ctx) =>
      show(ctx, {
        values: { username: formText(ctx, 'username'), email: formText(ctx, 'email') },
        formError: expiredFormText,
      }),
    ),
    async (ctx) => {
      const values = {
        username: formText(ctx, 'username').trim(),
        email: formText(ctx, 'email').trim(),
        password: formText(ctx, 'password'),
      };
      const kept = { username: values.username, email: values.email };
      const missing = requireFields(values, {
        username: 'Choose a username.',
        email: 'Enter your email address.',
        password: 'Choose a password.',
      });
      if (Object.keys(missing).length) return show(ctx, { values: kept, errors: missing }, 400);
      try {
        const { binding, binding_expires_in } = await deps.auth.signup(values, callOf(ctx));
        deps.confirmBinding.set(ctx, binding, binding_expires_in);
      } catch (err) {
        if (isRejection(err, 'username_taken')) {
          return show(ctx, { values: kept, errors: { username: 'That username is taken. Try another one.' } }, 409);
        }
        if (isRejection(err, 'validation_failed'))
          return show(ctx, { values: kept, errors: fieldErrorsFrom(err) }, 400);
        if (isRejection(err, 'too_many_requests'))
          return show(ctx, { values: kept, formError: throttled(ctx, err) }, 429);
        if (isRejection(err)) return show(ctx, { values: kept, formError: err.message }, 400);
        throw err;
      }
      // The same answer whether or not the address already had an account: auth mails its owner instead.
      sessionOf(ctx).checkEmail = values.email;
      seeOther(ctx, '/signup/check-email');
    },
  );

  router.get('/signup/check-email', async (ctx) => {
    await render(ctx, 'check-email', { email: sessionOf(ctx).checkEmail ?? '', errors: {} });
  });

  return router;
}
