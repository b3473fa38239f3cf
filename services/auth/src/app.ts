import { createService, type Service } from '@gatehouse/service-kit';
import type { AuthDeps } from './deps.js';
import { emailRoutes } from './routes/email.js';
import { githubRoutes } from './routes/github.js';
import { introspectRoutes } from './routes/introspect.js';
import { jwksRoutes } from './routes/jwks.js';
import { logoutRoutes } from './routes/logout.js';
import { meRoutes } from './routes/me.js';
import { passwordRoutes } from './routes/password.js';
import { revocationRoutes } from './routes/revocations.js';
import { signupRoutes } from './routes/signup.js';
import { tokenRoutes } from './routes/token.js';

const routeModules = [
  signupRoutes,
  emailRoutes,
  tokenRoutes,
  meRoutes,
  logoutRoutes,
  passwordRoutes,
  introspectRoutes,
  jwksRoutes,
  revocationRoutes,
  githubRoutes,
];

/** The auth service's HTTP face, built from its dependencies. It never listens. */
export function createAuthApp(deps: AuthDeps): Service {
  const app = createService({
    name: 'auth',
    logger: deps.logger,
    // The token endpoint keeps OAuth's form encoding (RFC 6749 §4.3.2); everything else is JSON only.
    forms: { paths: ['/v1/token'], origin: new URL(deps.settings.publicUrl).origin },
    trustedProxies: deps.settings.trustedProxies,
    bodyLimit: 16 * 1024,
    // Introspection answers any merely long token with active:false (RFC 7662), not a 400.
    maxTextLength: 12 * 1024,
    readiness: { database: () => deps.db.ping() },
  });
  for (const routes of routeModules) {
    const router = routes(deps);
    app.use(router.routes()).use(router.allowedMethods());
  }
  return app;
}
