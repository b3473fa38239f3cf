import Router from '@koa/router';
import type { SandboxDeps } from '../deps.js';
import { hasScope } from '../oauth/scopes.js';
import { listReposOf } from '../store/repos.js';
import { docsUrl } from './github-error.js';
import { privateUser } from './json.js';
import { acceptScopes, callerOrFail } from './require.js';

export function userRoutes(deps: Pick<SandboxDeps, 'db' | 'settings'>) {
  const router = new Router({ prefix: '/api/v3' });
  router.get('/user', async (ctx) => {
    const caller = callerOrFail(ctx, docsUrl.getAuthenticatedUser);
    acceptScopes(ctx, []);
    const repos = await listReposOf(deps.db, caller.user.id);
    const privateRepos = repos.filter((r) => r.private).length;
    // A private email needs user or user:email, as on GitHub.
    const showEmail = hasScope(caller.scopes, 'user:email');
    ctx.body = privateUser(
      deps.settings,
      caller.user,
      { publicRepos: repos.length - privateRepos, privateRepos },
      showEmail,
    );
  });
  return router;
}
