import Router from '@koa/router';
import type { Context } from 'koa';
import { isRejection, type ConfirmProof } from '../auth-client.js';
import { onCsrfRejected } from '../csrf.js';
import { expiredFormText, fieldErrorsFrom, formText, throttled, waitText } from '../forms.js';
import { tokenPage } from '../security-headers.js';
import { sessionOf } from '../session/session.js';
import { callOf, seeOther } from '../signed-in.js';
import { render } from '../views.js';
import type { RouteDeps } from './deps.js';

/*
 * Confirming an address must prove that whoever chose the password controls
 * the mailbox. The link alone proves only that the mailbox exists: mail
 * scanners (Safe Links, Mimecast, link previews) fetch it, and some submit
 * the forms they find. So:
 *
 * - GET from the browser that signed up (it holds the signed binding cookie
 *   signup set) confirms in one click. It is the one GET in this service
 *   that changes state, and only with that cookie.
 * - Any other GET, and every HEAD, shows a page asking for the password; the
 *   POST of that form confirms only with the right password.
 * - A used link says "already confirmed" and shows nothing of the account.
 *
 * The page is no-store and sends no Referer, because its URL holds the token.
 */
export function confirmEmailRoutes(deps: RouteDeps) {
  const router = new Router();

  const invalid = (ctx: Context, extra: { errors?: Record<string, string>; email?: string } = {}, status = 400) =>
    render(
      ctx,
      'confirm-email',
      { state: 'invalid', email: sessionOf(ctx).checkEmail ?? '', errors: {}, ...extra },
      status,
    );
  const askPassword = (
    ctx: Context,
    token: string,
    extra: { errors?: Record<string, string>; formError?: string } = {},
    status?: number,
  ) => render(ctx, 'confirm-email', { state: 'password', token, errors: {}, ...extra }, status);

  const confirm = async (ctx: Context, token: string, proof: ConfirmProof) => {
    try {
      const result = await deps.auth.confirmEmail(token, proof, callOf(ctx));
      if (result.status === 'already_confirmed') return render(ctx, 'confirm-email', { state: 'already' });
      deps.confirmBinding.clear(ctx);
      const signedIn = sessionOf(ctx).user;
      // The person confirmed their own address while signed in: the page shows it at once.
      if (signedIn?.userId === result.user.id) sessionOf(ctx).user = { ...signedIn, profile: result.user };
      await render(ctx, 'confirm-email', { state: 'confirmed', username: result.user.username });
    } catch (err) {
      if (isRejection(err, 'confirmation_proof_required')) return askPassword(ctx, token);
      if (isRejection(err, 'invalid_credentials')) {
        return askPassword(ctx, token, { errors: { password: 'That password is wrong. Try again.' } }, 400);
      }
      if (isRejection(err, 'too_many_requests'))
        return askPassword(ctx, token, { formError: throttled(ctx, err) }, 429);
      if (isRejection(err, 'invalid_or_expired_token', 'validation_failed')) return invalid(ctx);
      throw err;
    }
  };

  router.get('/confirm-email', tokenPage, async (ctx) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    if (token === '' || token.length > 512) return invalid(ctx);
    // A HEAD is answered as for a stranger: it never changes state, whatever cookies it carries.
    const binding = ctx.method === 'GET' ? deps.confirmBinding.read(ctx) : undefined;
    await confirm(ctx, token, binding ? { binding } : {});
  });

  router.post(
    '/confirm-email',
    tokenPage,
    onCsrfRejected((ctx) => askPassword(ctx, formText(ctx, 'token'), { formError: expiredFormText })),
    async (ctx) => {
      const token = formText(ctx, 'token');
      const password = formText(ctx, 'password');
      if (token === '' || token.length > 512) return invalid(ctx);
      // A scanner that submits the form without a password learns nothing and changes nothing.
      if (password === '') return askPassword(ctx, token, { errors: { password: 'Enter your password.' } }, 400);
      await confirm(ctx, token, { password });
    },
  );

  // Used by the "check your inbox" page, the expired-link page and the login page.
  router.post(
    '/confirm-email/resend',
    onCsrfRejected((ctx) =>
      render(ctx, 'check-email', { email: formText(ctx, 'email'), errors: {}, formError: expiredFormText }),
    ),
    async (ctx) => {
      const email = formText(ctx, 'email').trim();
      if (email === '') {
        return render(
          ctx,
          'check-email',
          { email, errors: { email: 'Enter the email address you signed up with.' } },
          400,
        );
      }
      const session = sessionOf(ctx);
      try {
        await deps.auth.resendConfirmation(email, callOf(ctx));
      } catch (err) {
        if (isRejection(err, 'too_many_requests')) {
          if (err.retryAfter !== undefined) ctx.set('Retry-After', String(err.retryAfter));
          session.checkEmail = email;
          return render(
            ctx,
            'check-email',
            {
              email,
              errors: {},
              formError: `We sent a link to this address a moment ago. You can ask for another ${waitText(err.retryAfter)}.`,
            },
            429,
          );
        }
        if (isRejection(err, 'validation_failed'))
          return render(ctx, 'check-email', { email, errors: fieldErrorsFrom(err) }, 400);
        throw err;
      }
      session.checkEmail = email;
      session.flash = {
        kind: 'success',
        text: `If ${email} belongs to an account that still needs confirming, a new link is on its way.`,
      };
      seeOther(ctx, '/signup/check-email');
    },
  );

  return router;
}
