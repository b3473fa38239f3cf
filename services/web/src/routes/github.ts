import { onCsrfRejected } from '../csrf.js';
import Router from '@koa/router';
import type { Context } from 'koa';
import { isAppError } from '@gatehouse/service-kit';
import { isRejection } from '../auth-client.js';
import { expiredFormText, formText } from '../forms.js';
import { failureKind, startGithubFlow, takeGithubFlow, type FailureKind, type FlowDeps } from '../github-flow.js';
import type { CallbackParams, OAuthResult } from '../mirror-client.js';
import { safeNext } from '../safe-next.js';
import { tokenPage } from '../security-headers.js';
import { sessionOf, type GithubFlow } from '../session/session.js';
import { callOf, requireSignedIn, seeOther } from '../signed-in.js';
import { render } from '../views.js';
import type { RouteDeps } from './deps.js';

const failureStatus: Record<FailureKind, number> = {
  state: 400,
  denied: 400,
  exchange: 400,
  scope: 403,
  unavailable: 503,
  email_in_use: 409,
  already_linked: 409,
  other: 400,
};

/** The friendly page for a GitHub flow that did not work; its "Try again" starts the same flow afresh. */
async function showFailure(
  ctx: Context,
  kind: FailureKind,
  flow: Pick<GithubFlow, 'purpose' | 'private' | 'next'> | undefined,
) {
  const purpose = flow?.purpose ?? (sessionOf(ctx).user ? 'connect' : 'signin');
  await render(
    ctx,
    'github-failure',
    { kind, purpose, private: flow?.private ?? false, next: flow?.next ?? '' },
    failureStatus[kind],
  );
}

/** Only plain single values reach the mirror; a repeated parameter is treated as absent. */
function callbackParams(ctx: Context): CallbackParams {
  const one = (name: string) => {
    const value = ctx.query[name];
    return typeof value === 'string' && value.length <= 2048 ? value : undefined;
  };
  return { state: one('state'), code: one('code'), error: one('error'), error_description: one('error_description') };
}

/** Sign in with GitHub, connect GitHub to an account, and the callback that finishes both. */
export function githubRoutes(deps: RouteDeps) {
  const router = new Router();
  const mirror = deps.mirror;
  if (!mirror) return router;
  const flowDeps: FlowDeps = { mirror, clock: deps.clock, oauthOrigin: deps.githubOAuthOrigin };
  const signedIn = requireSignedIn(deps.clock);

  const startSignIn = async (ctx: Context) => {
    if (sessionOf(ctx).user) return seeOther(ctx, '/account');
    await startGithubFlow(ctx, flowDeps, {
      purpose: 'signin',
      private: false,
      next: safeNext(formText(ctx, 'next'), ''),
    });
  };
  // A refused form (expired or cross-site) gets the failure page, whose "Try again" carries a fresh token.
  const refused = (purpose: 'signin' | 'connect') =>
    onCsrfRejected((ctx) => showFailure(ctx, 'other', { purpose, private: false, next: '' }));
  router.post('/login/github', refused('signin'), startSignIn);
  router.post('/signup/github', refused('signin'), startSignIn);

  router.post('/account/github/connect', signedIn, refused('connect'), async (ctx) => {
    const next = safeNext(formText(ctx, 'next'), '');
    await startGithubFlow(ctx, flowDeps, { purpose: 'connect', private: formText(ctx, 'private') === 'yes', next });
  });

  router.post(
    '/account/github/disconnect',
    signedIn,
    onCsrfRejected((ctx) => {
      sessionOf(ctx).flash = { kind: 'warning', text: expiredFormText };
      seeOther(ctx, '/account#github');
    }),
    async (ctx) => {
      await deps.signedIn.withAccess(ctx, (token) => mirror.disconnect(token, callOf(ctx)));
      sessionOf(ctx).flash = {
        kind: 'success',
        text: 'GitHub is disconnected. Gatehouse no longer holds a GitHub token for you.',
      };
      seeOther(ctx, '/account#github');
    },
  );

  // The URL carries a one-time code: tokenPage keeps it out of Referer headers.
  router.get('/github/callback', tokenPage, async (ctx) => {
    const flow = takeGithubFlow(ctx, deps.clock);
    // No flow in this browser: a link from elsewhere, a replay or a stale tab. Nothing is exchanged.
    if (!flow) return showFailure(ctx, 'state', undefined);
    let result: OAuthResult;
    try {
      result = await mirror.finishOAuth(callbackParams(ctx), flow.binding, callOf(ctx));
    } catch (err) {
      if (isRejection(err)) return showFailure(ctx, failureKind(err.code), flow);
      if (isAppError(err) && err.status === 503) return showFailure(ctx, 'unavailable', flow);
      throw err;
    }
    if (result.purpose === 'signin') return finishSignIn(ctx, deps, result, flow);
    return finishConnect(ctx, deps, result, flow);
  });

  // An API client's flow (POST /api/mirror/v1/github/authorize) comes back here. Web holds
  // nothing for it: the person hands the completion code to the client, which finishes with
  // its own binding and token. The code alone is useless: PKCE and the binding guard it.
  router.get('/github/callback/api', tokenPage, async (ctx) => {
    const { state, code, error } = callbackParams(ctx);
    const completion = state && code && /^[\w-]+$/.test(state) && /^[\w-]+$/.test(code) ? `${state}.${code}` : '';
    const kind = completion ? 'ready' : error === 'access_denied' ? 'denied' : 'broken';
    await render(ctx, 'github-api-complete', { kind, completion }, completion ? 200 : 400);
  });

  return router;
}

async function finishSignIn(
  ctx: Context,
  deps: RouteDeps,
  result: Extract<OAuthResult, { purpose: 'signin' }>,
  flow: GithubFlow,
) {
  const call = callOf(ctx);
  try {
    const login = await deps.auth.githubLogin(result.github, call);
    await deps.signedIn.begin(ctx, login, login.user);
    const text = login.created
      ? `Welcome! Your Gatehouse account ${login.user.username} was created from GitHub. Next time, sign in with GitHub again.`
      : `Signed in with GitHub as ${result.github.login}.`;
    sessionOf(ctx).flash = { kind: 'success', text };
    deps.logger.info(
      { req_id: call.requestId, event: 'web_login', method: 'github', user_id: login.user.id, ip: ctx.ip },
      'signed in',
    );
  } catch (err) {
    if (isRejection(err)) return showFailure(ctx, failureKind(err.code), flow);
    throw err;
  }
  seeOther(ctx, flow.next || '/account');
}

async function finishConnect(
  ctx: Context,
  deps: RouteDeps,
  result: Extract<OAuthResult, { purpose: 'connect' }>,
  flow: GithubFlow,
) {
  const user = sessionOf(ctx).user;
  // The flow was started by someone else's session: treat it as a foreign state.
  if (!user || user.userId !== result.user_id) return showFailure(ctx, 'state', flow);
  let text = `GitHub is connected as ${result.github.login}.`;
  try {
    await deps.auth.githubLink(user.userId, result.github, callOf(ctx));
    text += ' You can also sign in with GitHub from now on.';
  } catch (err) {
    if (!isRejection(err, 'github_already_linked')) throw err;
    text += ' This GitHub account signs in to a different Gatehouse account, so it was not set up for signing in here.';
  }
  sessionOf(ctx).flash = { kind: 'success', text };
  seeOther(ctx, flow.next || '/account#github');
}
