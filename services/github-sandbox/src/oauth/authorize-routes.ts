import Router from '@koa/router';
import type { Context } from 'koa';
import type nunjucks from 'nunjucks';
import { AppError } from '@gatehouse/service-kit';
import type { OAuthAppConfig } from '../config.js';
import type { SandboxDeps } from '../deps.js';
import { renderPage } from '../pages/views.js';
import { ensureUser, findUserByLogin, listUsers, loginPattern } from '../store/users.js';
import { resolveRedirect } from './apps.js';
import { consentFormIsOurs, consentToken } from './consent-csrf.js';
import { issueCode } from './grants.js';
import { narrowScopes, parseScopes } from './scopes.js';

export const authorizePath = '/login/oauth/authorize';

const troubleshooting =
  'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/';
const signedInCookie = 'sandbox_login';

interface AuthorizeParams {
  client_id: string;
  redirect_uri: string;
  scope: string;
  state: string;
  login: string;
  allow_signup: string;
  code_challenge: string;
  code_challenge_method: string;
}

const paramNames: (keyof AuthorizeParams)[] = [
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'login',
  'allow_signup',
  'code_challenge',
  'code_challenge_method',
];

function paramsFrom(source: Record<string, unknown>): AuthorizeParams {
  const out = {} as AuthorizeParams;
  for (const name of paramNames) {
    const value = source[name];
    out[name] = typeof value === 'string' ? value : '';
  }
  return out;
}

/** The callback URL with these parameters added to whatever query it already has. */
export function withParams(base: string, params: Record<string, string>): string {
  const url = new URL(base);
  for (const [key, value] of Object.entries(params)) if (value !== '') url.searchParams.set(key, value);
  return url.toString();
}

type Accepted = { app: OAuthAppConfig; redirect: string };
type Checked = Accepted | { redirectError: string };

/** GitHub's order: an unknown client is a 404 page; a foreign redirect_uri goes back to the registered callback. */
function check(deps: Pick<SandboxDeps, 'apps'>, params: AuthorizeParams): Checked {
  const app = deps.apps.find(params.client_id);
  if (!app) throw new AppError('not_found', { message: 'No OAuth app has this client_id.' });
  const redirect = resolveRedirect(app, params.redirect_uri || undefined);
  if (!redirect) {
    return {
      redirectError: withParams(app.callback_url, {
        error: 'redirect_uri_mismatch',
        error_description: 'The redirect_uri MUST match the registered callback URL for this application.',
        error_uri: `${troubleshooting}#redirect-uri-mismatch`,
        state: params.state,
      }),
    };
  }
  if (params.code_challenge && params.code_challenge_method !== 'S256') {
    throw new AppError('validation_failed', { message: 'code_challenge_method must be S256.' });
  }
  return { app, redirect };
}

export function authorizeRoutes(deps: Pick<SandboxDeps, 'db' | 'clock' | 'apps'> & { views: nunjucks.Environment }) {
  const router = new Router();

  const show = async (ctx: Context, checked: Accepted, params: AuthorizeParams, formError = '', status = 200) => {
    const { app, redirect } = checked;
    const users = await listUsers(deps.db);
    const signedIn = params.login || ctx.cookies.get(signedInCookie) || '';
    await renderPage(
      deps.views,
      ctx,
      'authorize',
      { app, redirect, params, scopes: parseScopes(params.scope), users, signedIn, csrf: consentToken(ctx), formError },
      status,
    );
  };

  router.get(authorizePath, async (ctx) => {
    const params = paramsFrom(ctx.query);
    const checked = check(deps, params);
    if ('redirectError' in checked) return ctx.redirect(checked.redirectError);
    await show(ctx, checked, params);
  });

  router.post(authorizePath, async (ctx) => {
    const body = ctx.request.body as Record<string, unknown>;
    const params = paramsFrom(body);
    const checked = check(deps, params);
    if ('redirectError' in checked) return ctx.redirect(checked.redirectError);
    const { app, redirect } = checked;
    if (!consentFormIsOurs(ctx))
      return show(ctx, checked, params, 'The form expired or came from another site. Please try again.', 403);
    if (body.decision !== 'authorize') {
      return ctx.redirect(
        withParams(redirect, {
          error: 'access_denied',
          error_description: 'The user has denied your application access.',
          error_uri: `${troubleshooting}#access-denied`,
          state: params.state,
        }),
      );
    }
    const login = typeof body.user === 'string' ? body.user.trim() : '';
    if (!loginPattern.test(login))
      return show(
        ctx,
        checked,
        params,
        'Pick a user, or type a GitHub-style login (letters, digits, single hyphens).',
        400,
      );
    const known = await findUserByLogin(deps.db, login);
    if (!known && params.allow_signup === 'false')
      return show(ctx, checked, params, 'This app does not allow signing up here; pick an existing user.', 400);
    const user = known ?? (await ensureUser(deps.db, login, deps.clock.now()));
    const kept = ([] as unknown[]).concat(body.granted ?? []).filter((s): s is string => typeof s === 'string');
    const scopes = narrowScopes(parseScopes(params.scope), kept);
    const code = await issueCode(deps, {
      clientId: app.client_id,
      userId: user.id,
      scopes,
      redirectUri: redirect,
      codeChallenge: params.code_challenge || null,
    });
    ctx.cookies.set(signedInCookie, user.login, { httpOnly: true, sameSite: 'lax', overwrite: true });
    ctx.redirect(withParams(redirect, { code, state: params.state }));
  });

  return router;
}
