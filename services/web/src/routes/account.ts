import Router from '@koa/router';
import type { Context } from 'koa';
import { isRejection } from '../auth-client.js';
import { onCsrfRejected } from '../csrf.js';
import { expiredFormText, fieldErrorsFrom, formText, requireFields, throttled, type FieldErrors } from '../forms.js';
import { regenerate, sessionOf } from '../session/session.js';
import { callOf, requireSignedIn, seeOther } from '../signed-in.js';
import { render } from '../views.js';
import { loadGithubState } from './mirror.js';
import type { RouteDeps } from './deps.js';

interface PasswordForm {
  errors?: FieldErrors;
  formError?: string;
}

export function accountRoutes(deps: RouteDeps) {
  const router = new Router();
  const signedIn = requireSignedIn(deps.clock);

  // The profile comes from the session (page state has already checked the
  // token against the revocation feed); it is reread when it changes.
  const show = async (ctx: Context, password: PasswordForm = {}, status?: number) => {
    const profile = await deps.signedIn.profile(ctx);
    const githubState = deps.mirror ? await loadGithubState(ctx, deps, deps.mirror) : undefined;
    await render(ctx, 'account', { profile, githubState, password: { errors: {}, ...password } }, status);
  };

  router.get('/account', signedIn, async (ctx) => {
    await show(ctx);
  });

  router.post(
    '/account/password',
    signedIn,
    onCsrfRejected((ctx) => show(ctx, { formError: expiredFormText })),
    async (ctx) => {
      const current = formText(ctx, 'current_password');
      const replacement = formText(ctx, 'new_password');
      const errors = requireFields(
        { current_password: current, new_password: replacement },
        { current_password: 'Enter your current password.', new_password: 'Choose a new password.' },
      );
      if (Object.keys(errors).length) return show(ctx, { errors }, 400);
      try {
        await deps.signedIn.withAccess(ctx, (token) =>
          deps.auth.changePassword(token, { current_password: current, new_password: replacement }, callOf(ctx)),
        );
      } catch (err) {
        if (isRejection(err, 'invalid_credentials')) {
          return show(ctx, { errors: { current_password: 'That isn’t your current password.' } }, 400);
        }
        if (isRejection(err, 'validation_failed')) return show(ctx, { errors: fieldErrorsFrom(err) }, 400);
        if (isRejection(err, 'too_many_requests')) return show(ctx, { formError: throttled(ctx, err) }, 429);
        throw err;
      }
      await deps.signedIn.reloadProfile(ctx);
      sessionOf(ctx).flash = {
        kind: 'success',
        text: 'Your password is changed. Every other device you were logged in on has been logged out.',
      };
      seeOther(ctx, '/account');
    },
  );

  router.post(
    '/account/logout-everywhere',
    signedIn,
    onCsrfRejected((ctx) => show(ctx, { formError: expiredFormText })),
    async (ctx) => {
      const user = sessionOf(ctx).user!;
      // Unlike a plain logout this must reach auth: the person is counting on other devices being cut off.
      await deps.signedIn.revoke(ctx, user, 'global');
      await regenerate(ctx, deps.clock, {
        flash: { kind: 'success', text: 'You’re logged out on every device, including this one.' },
      });
      seeOther(ctx, '/login');
    },
  );

  return router;
}
