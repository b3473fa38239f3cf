import Router from '@koa/router';
import type { Context } from 'koa';
import type { SandboxDeps } from '../deps.js';
import { hashSecret } from '../oauth/secrets.js';
import { credentialOf } from '../oauth/token-auth.js';
import { findLiveToken, revokeGrant, revokeToken } from '../store/tokens.js';
import { docsUrl, GitHubFailure, notFound } from './github-error.js';

/** These endpoints authenticate the app itself: Basic client_id:client_secret, and the path's client_id must be it. */
function appOrFail(deps: Pick<SandboxDeps, 'apps'>, ctx: Context, docs: string) {
  const credential = credentialOf(ctx.get('authorization'));
  const app = credential.kind === 'basic' ? deps.apps.authenticate(credential.user, credential.password) : undefined;
  if (!app || app.client_id !== ctx.params.client_id) throw notFound(docs);
  return app;
}

function accessTokenOf(body: unknown, docs: string): string {
  const token = (body as Record<string, unknown> | undefined)?.access_token;
  if (typeof token !== 'string' || token === '')
    throw new GitHubFailure(422, 'Invalid request.\n\n"access_token" wasn\'t supplied.', docs);
  return token;
}

export function applicationRoutes(deps: Pick<SandboxDeps, 'db' | 'clock' | 'apps'>) {
  const router = new Router({ prefix: '/api/v3' });

  router.delete('/applications/:client_id/token', async (ctx) => {
    const app = appOrFail(deps, ctx, docsUrl.deleteToken);
    const token = accessTokenOf(ctx.request.body, docsUrl.deleteToken);
    if (!(await revokeToken(deps.db, hashSecret(token), app.client_id, deps.clock.now())))
      throw notFound(docsUrl.deleteToken);
    ctx.status = 204;
  });

  router.delete('/applications/:client_id/grant', async (ctx) => {
    const app = appOrFail(deps, ctx, docsUrl.deleteGrant);
    const token = await findLiveToken(deps.db, hashSecret(accessTokenOf(ctx.request.body, docsUrl.deleteGrant)));
    if (!token || token.client_id !== app.client_id) throw notFound(docsUrl.deleteGrant);
    await revokeGrant(deps.db, token.user_id, app.client_id, deps.clock.now());
    ctx.status = 204;
  });

  return router;
}
