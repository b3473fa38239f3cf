import type { Middleware } from 'koa';
import { bodyParser, createService, type Service } from '@gatehouse/service-kit';
import { adminAuth } from './admin/admin-auth.js';
import { adminRoutes } from './admin/admin-routes.js';
import { faultInjection } from './admin/faults.js';
import { apiContext, apiErrors } from './api/api-context.js';
import { applicationRoutes } from './api/application-routes.js';
import { rateLimitRoutes } from './api/rate-limit-routes.js';
import { repoRoutes } from './api/repo-routes.js';
import { githubRequestId } from './api/request-id.js';
import { userRoutes } from './api/user-routes.js';
import type { SandboxDeps } from './deps.js';
import { gitRoutes } from './git/git-routes.js';
import { authorizePath, authorizeRoutes } from './oauth/authorize-routes.js';
import { tokenPath, tokenRoutes } from './oauth/token-routes.js';
import { pageRoutes } from './pages/page-routes.js';
import { createViews } from './pages/views.js';

export const apiPrefix = '/api/v3';

const under =
  (prefix: string, middleware: Middleware): Middleware =>
  (ctx, next) =>
    ctx.path === prefix || ctx.path.startsWith(`${prefix}/`) ? middleware(ctx, next) : next();

/**
 * The stand-in as GitHub Enterprise Server lays itself out: OAuth, git and
 * pages at the root, REST under /api/v3. It never listens.
 */
export function createSandboxApp(deps: SandboxDeps): Service {
  const app = createService({
    name: 'github-sandbox',
    logger: deps.logger,
    // git's packs stream through http-backend; the parser comes after the git routes.
    parseBody: false,
    trustedProxies: deps.settings.trustedProxies,
    readiness: { database: () => deps.db.ping() },
  });
  const views = createViews();

  app.use(githubRequestId());
  app.use(adminAuth(deps.settings.adminToken, ['/_sandbox/assets/', '/_sandbox/avatars/']));
  // Faults are an admin feature: without an admin token no request pays for the lookup.
  if (deps.settings.adminToken) app.use(faultInjection(deps));
  app.use(gitRoutes(deps));
  // GitHub's token endpoint and consent form take forms; its REST API, JSON only.
  app.use(
    bodyParser({
      limit: 64 * 1024,
      forms: { paths: [tokenPath, authorizePath], origin: new URL(deps.settings.publicUrl).origin },
      deleteBodies: true,
    }),
  );
  app.use(under(apiPrefix, apiErrors(deps.logger)));
  app.use(
    under(
      apiPrefix,
      apiContext(deps, { uncounted: [`${apiPrefix}/rate_limit`], ownAuth: [`${apiPrefix}/applications/`] }),
    ),
  );

  const routers = [
    userRoutes(deps),
    repoRoutes(deps),
    rateLimitRoutes(deps),
    applicationRoutes(deps),
    authorizeRoutes({ ...deps, views }),
    tokenRoutes(deps),
    adminRoutes(deps),
    pageRoutes({ ...deps, views }),
  ];
  for (const router of routers) app.use(router.routes()).use(router.allowedMethods());
  return app;
}
