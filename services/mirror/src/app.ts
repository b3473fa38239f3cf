import { createService, type Service } from '@gatehouse/service-kit';
import type { MirrorDeps } from './deps.js';
import { githubRoutes } from './routes/github.js';
import { internalOauthRoutes } from './routes/internal-oauth.js';
import { mirrorRoutes } from './routes/mirrors.js';

const routeModules = [internalOauthRoutes, githubRoutes, mirrorRoutes];

/** The mirror service's HTTP face, built from its dependencies. It never listens (the socket is attached by the caller). */
export function createMirrorApp(deps: MirrorDeps): Service {
  const app = createService({
    name: 'mirror',
    logger: deps.logger,
    bodyLimit: 16 * 1024,
    trustedProxies: deps.settings.trustedProxies,
    readiness: { database: () => deps.db.ping() },
  });
  for (const routes of routeModules) {
    const router = routes(deps);
    app.use(router.routes()).use(router.allowedMethods());
  }
  return app;
}
