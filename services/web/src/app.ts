import type { Clock, Logger, Service } from '@gatehouse/service-kit';
import { bodyParser, createService } from '@gatehouse/service-kit';
import { assetRoutes, type AssetSet } from './assets.js';
import type { Verifier } from '@gatehouse/token-verifier';
import type { AuthClient } from './auth-client.js';
import { csrfGuard } from './csrf.js';
import { htmlErrors } from './html-errors.js';
import { pageState } from './page-state.js';
import { accountRoutes } from './routes/account.js';
import { confirmEmailRoutes } from './routes/confirm-email.js';
import type { RouteDeps } from './routes/deps.js';
import { homeRoutes } from './routes/home.js';
import { loginRoutes } from './routes/login.js';
import { logoutRoutes } from './routes/logout.js';
import { passwordResetRoutes } from './routes/password-reset.js';
import { signupRoutes } from './routes/signup.js';
import { securityHeaders } from './security-headers.js';
import { sessions } from './session/session.js';
import type { SessionStore } from './session/store.js';
import { callOf, createSignedIn } from './signed-in.js';
import { createViewEnvironment, viewsMiddleware } from './views.js';

export interface WebSettings {
  publicUrl: string;
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  /** Recompile templates on every render (development). */
  watchTemplates?: boolean;
}

export interface WebDeps {
  settings: WebSettings;
  logger: Logger;
  clock: Clock;
  store: SessionStore;
  auth: AuthClient;
  /** Checks the session's access token locally against auth's keys and revocation feed. */
  verifier: Pick<Verifier, 'verify'>;
  assets: AssetSet;
}

const routeModules = [homeRoutes, signupRoutes, confirmEmailRoutes, loginRoutes, logoutRoutes, accountRoutes, passwordResetRoutes];

/** The web service's pages, built from their dependencies. It never listens. */
export function createWebApp(deps: WebDeps): Service {
  const { settings, logger, clock, store, auth, verifier, assets } = deps;
  const publicUrl = new URL(settings.publicUrl);
  const https = publicUrl.protocol === 'https:';
  const app = createService({
    name: 'web',
    logger,
    parseBody: false,
    // Auth is deliberately not a readiness check: without it the pages still
    // answer (with a friendly "try again"), while an unready web would turn
    // into the gateway's bare 502 for everyone.
    readiness: { sessions: () => store.ping() },
  });
  const signedIn = createSignedIn({ auth, verifier, clock, logger });

  app.use(securityHeaders({ https }));
  app.use(assetRoutes(assets));
  app.use(viewsMiddleware(createViewEnvironment({ watch: settings.watchTemplates ?? false })));
  app.use(htmlErrors(logger));
  for (const middleware of sessions(app, {
    store,
    clock,
    cookieName: https ? '__Host-gatehouse' : 'gatehouse',
    secure: https,
    idleMs: settings.idleTimeoutMs,
    absoluteMs: settings.absoluteTimeoutMs,
    onExpired: (user, ctx) => {
      void signedIn.revoke(ctx, user, 'local').catch((err: unknown) =>
        logger.warn({ req_id: callOf(ctx).requestId, err: (err as Error).message }, 'could not revoke an expired session'),
      );
    },
  })) {
    app.use(middleware);
  }
  app.use(pageState({ assets, signedIn, clock, logger }));
  // After the error pages and the page state they render with.
  app.use(bodyParser({ limit: 32 * 1024, form: true }));

  const routeDeps: RouteDeps = { auth, signedIn, clock, logger, csrf: csrfGuard({ publicOrigin: publicUrl.origin, logger }) };
  for (const routes of routeModules) {
    const router = routes(routeDeps);
    app.use(router.routes()).use(router.allowedMethods());
  }
  return app;
}
