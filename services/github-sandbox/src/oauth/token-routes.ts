import Router from '@koa/router';
import type { Context } from 'koa';
import type { SandboxDeps } from '../deps.js';
import { exchangeCode, tokenErrors, type ExchangeRequest } from './grants.js';

export const tokenPath = '/login/oauth/access_token';

const fields = ['client_id', 'client_secret', 'code', 'redirect_uri', 'code_verifier'] as const;

/** GitHub reads these from the body or the query string. */
function requestOf(ctx: Context): ExchangeRequest {
  const body = (ctx.request.body ?? {}) as Record<string, unknown>;
  const out: ExchangeRequest = {};
  for (const field of fields) {
    const value = body[field] ?? ctx.query[field];
    if (typeof value === 'string') out[field] = value;
  }
  return out;
}

/** Form-encoded unless the client asks for JSON, errors included, and always HTTP 200. */
function answer(ctx: Context, payload: Record<string, string>): void {
  ctx.status = 200;
  ctx.set('Cache-Control', 'no-store');
  if (/\bapplication\/json\b/i.test(ctx.get('accept'))) {
    ctx.body = payload;
    return;
  }
  ctx.type = 'application/x-www-form-urlencoded; charset=utf-8';
  ctx.body = new URLSearchParams(payload).toString();
}

export function tokenRoutes(deps: Pick<SandboxDeps, 'db' | 'clock' | 'apps'>) {
  const router = new Router();
  router.post(tokenPath, async (ctx) => {
    const result = await exchangeCode(deps, requestOf(ctx));
    if ('error' in result) return answer(ctx, { error: result.error, ...tokenErrors[result.error] });
    answer(ctx, { access_token: result.access_token, token_type: result.token_type, scope: result.scope });
  });
  return router;
}
