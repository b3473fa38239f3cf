import Router from '@koa/router';
import type { Context } from 'koa';
import { isRejection } from '../auth-client.js';
import { onCsrfRejected } from '../csrf.js';
import { expiredFormText, formText, requireFields, throttled, waitText, type FieldErrors } from '../forms.js';
import { loginWaitSeconds, noteLoginFailure } from '../login-wait.js';
import { safeNext } from '../safe-next.js';
import { sessionOf } from '../session/session.js';
import { callOf, seeOther } from '../signed-in.js';
import { render } from '../views.js';
import type { RouteDeps } from './deps.js';

interface LoginForm {
  identifier?: string;
  next?: string;
  errors?: FieldErrors;
  formError?: string;
  /** Heading of the error box, when "That didn’t work" says too little. */
  formTitle?: string;
  /** Set when the account exists but its email is not confirmed yet: offers a resend. */
  unconfirmed?: { email: string };
}

// Pages that send people here say why, so the login page is not a surprise.
const reasons: Record<string, string> = {
  '/mirror': 'Log in to mirror Gatehouse’s code to your GitHub account. You’ll come straight back to it.',
};

const show = (ctx: Context, form: LoginForm, status?: number) =>
  render(
    ctx,
    'login',
    { identifier: '', next: '', errors: {}, formTitle: '', reason: reasons[form.next ?? ''] ?? '', ...form },
    status,
  );

/** 429 "please wait", from this browser's own failures: auth's answer alone never says so. */
const showWait = (ctx: Context, form: LoginForm, seconds: number, justFailed: boolean) => {
  ctx.set('Retry-After', String(seconds));
  const formError = justFailed
    ? `That username or email and password don’t match an account. After several failed attempts, please try again ${waitText(seconds)}.`
    : `This browser has had several failed attempts. Please try again ${waitText(seconds)}.`;
  return show(ctx, { ...form, formTitle: 'Please wait a moment', formError }, 429);
};

// One message for unknown account and wrong password: the page must not tell which.
const wrongCredentials = 'That username or email and password don’t match an account. Check them and try again.';

export function loginRoutes(deps: RouteDeps) {
  const router = new Router();

  router.get('/login', async (ctx) => {
    const next = safeNext(ctx.query.next, '');
    if (sessionOf(ctx).user) return seeOther(ctx, next || '/account');
    await show(ctx, { next });
  });

  router.post(
    '/login',
    onCsrfRejected((ctx) =>
      show(ctx, {
        identifier: formText(ctx, 'identifier'),
        next: safeNext(formText(ctx, 'next'), ''),
        formError: expiredFormText,
      }),
    ),
    async (ctx) => {
      const identifier = formText(ctx, 'identifier').trim();
      const password = formText(ctx, 'password');
      const next = safeNext(formText(ctx, 'next'), '');
      const errors = requireFields(
        { identifier, password },
        { identifier: 'Enter your username or email.', password: 'Enter your password.' },
      );
      if (Object.keys(errors).length) return show(ctx, { identifier, next, errors }, 400);
      const now = deps.clock.now().getTime();
      const wait = loginWaitSeconds(sessionOf(ctx), now);
      if (wait > 0) return showWait(ctx, { identifier, next }, wait, false);
      const call = callOf(ctx);
      try {
        const tokens = await deps.auth.passwordGrant(identifier, password, call, deps.device.read(ctx));
        const profile = await deps.auth.me(tokens.access_token, call);
        await deps.signedIn.begin(ctx, tokens, profile);
        deps.device.write(ctx, tokens.device_token);
      } catch (err) {
        if (isRejection(err, 'invalid_credentials', 'validation_failed')) {
          const waitNow = noteLoginFailure(sessionOf(ctx), now);
          if (waitNow > 0) return showWait(ctx, { identifier, next }, waitNow, true);
          return show(ctx, { identifier, next, formError: wrongCredentials }, 401);
        }
        if (isRejection(err, 'email_not_confirmed')) {
          return show(
            ctx,
            {
              identifier,
              next,
              formTitle: 'Confirm your email address first',
              formError:
                'Your email address isn’t confirmed yet. Open the link we emailed you, or get a new one below.',
              unconfirmed: { email: identifier.includes('@') ? identifier : '' },
            },
            403,
          );
        }
        if (isRejection(err, 'too_many_requests')) {
          return show(
            ctx,
            { identifier, next, formTitle: 'Please wait a moment', formError: throttled(ctx, err) },
            429,
          );
        }
        throw err;
      }
      deps.logger.info(
        { req_id: ctx.state.requestId, event: 'web_login', user_id: sessionOf(ctx).user?.userId, ip: ctx.ip },
        'signed in',
      );
      seeOther(ctx, next || '/account');
    },
  );

  return router;
}
