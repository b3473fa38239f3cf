import Router from '@koa/router';
import type { Context } from 'koa';
import { isRejection } from '../auth-client.js';
import { onCsrfRejected } from '../csrf.js';
import { expiredFormText, fieldErrorsFrom, formText, waitText } from '../forms.js';
import { tokenPage } from '../security-headers.js';
import { sessionOf } from '../session/session.js';
import { callOf, seeOther } from '../signed-in.js';
import { render } from '../views.js';
import type { RouteDeps } from './deps.js';

/*
 * Why GET /confirm-email confirms, although GETs here otherwise never change state:
 *
 * The person's whole job is one click on the link in their mail, and the
 * result must be a confirmed account. An interstitial "Confirm my email"
 * button would make that two clicks, and mail scanners (Outlook Safe Links,
 * Gmail's prefetch) would still fetch the GET; so the only thing a POST-only
 * design protects against is a scanner confirming the address, which is
 * harmless: the scanner only had the link because it was delivered to that
 * mailbox, which is exactly what confirmation proves. Confirmation is also
 * idempotent at auth: a still-valid token for an already confirmed account
 * answers 200, so the scanner's visit first and the person's click second
 * both end on "your email is confirmed". It creates no session and logs no
 * one in, so the link cannot be used to plant a login (no login CSRF).
 *
 * The page is no-store and sends no Referer, because its URL holds the token.
 */
export function confirmEmailRoutes(deps: RouteDeps) {
  const router = new Router();

  const invalid = (
    ctx: Context,
    extra: { errors?: Record<string, string>; formError?: string; email?: string } = {},
    status = 400,
  ) =>
    render(
      ctx,
      'confirm-email',
      { state: 'invalid', email: sessionOf(ctx).checkEmail ?? '', errors: {}, ...extra },
      status,
    );

  router.get('/confirm-email', tokenPage, async (ctx) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    if (token === '' || token.length > 512) return invalid(ctx);
    try {
      const user = await deps.auth.confirmEmail(token, callOf(ctx));
      const signedIn = sessionOf(ctx).user;
      // The person confirmed their own address while signed in: the page shows it at once.
      if (signedIn?.userId === user.id) sessionOf(ctx).user = { ...signedIn, profile: user };
      await render(ctx, 'confirm-email', { state: 'confirmed', username: user.username });
    } catch (err) {
      if (isRejection(err, 'invalid_or_expired_token', 'validation_failed')) return invalid(ctx);
      throw err;
    }
  });

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
