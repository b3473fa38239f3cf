import Router from '@koa/router';
import type { Clock, Logger, Service } from '@gatehouse/service-kit';
import { bodyParser, createService } from '@gatehouse/service-kit';
import { assetRoutes, type AssetSet } from './assets.js';
import type { Verifier } from '@gatehouse/token-verifier';
import type { AuthClient } from './auth-client.js';
import { createConfirmBindingCookie } from './confirm-binding.js';
import { deviceCookie } from './device-cookie.js';
import { csrfGuard } from './csrf.js';
import { htmlErrors, showErrorPage } from './html-errors.js';
import { pageState } from './page-state.js';
import type { MirrorClient } from './mirror-client.js';
import { accountRoutes } from './routes/account.js';
import { confirmEmailRoutes } from './routes/confirm-email.js';
import { githubRoutes } from './routes/github.js';
import type { RouteDeps } from './routes/deps.js';
import { homeRoutes } from './routes/home.js';
import { loginRoutes } from './routes/login.js';
import { logoutRoutes } from './routes/logout.js';
import { mirrorRoutes } from './routes/mirror.js';
import { passwordResetRoutes } from './routes/password-reset.js';
import { signupRoutes } from './routes/signup.js';
import { securityHeaders } from './security-headers.js';
import { sessions } from './session/session.js';
import type { SessionStore } from './session/store.js';
import { callOf, createSignedIn } from './signed-in.js';
import { createViewEnvironment, viewsMiddleware } from './views.js';

export interface WebSettings {
  publicUrl: string;
  /** SESSION_SECRET: also signs the signup's confirmation binding cookie. */
  sessionSecret: string;
  /** GITHUB_OAUTH_URL: where people authorize Gatehouse on GitHub. */
  githubOAuthUrl: string;
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  /** Recompile templates on every render (development). */
  watchTemplates?: boolean;
  trustedProxies: readonly string[];
}

export interface WebDeps {
  settings: WebSettings;
  logger: Logger;
  clock: Clock;
  store: SessionStore;
  auth: AuthClient;
  /** Checks the session's access token locally against auth's keys and revocation feed. */
  verifier: Pick<Verifier, 'verify'>;
  /** Absent when MIRROR_URL is unset. */
  mirror?: MirrorClient | undefined;
  assets: AssetSet;
}

const routeModules = [
  homeRoutes,
  signupRoutes,
  confirmEmailRoutes,
  loginRoutes,
  logoutRoutes,
  accountRoutes,
  passwordResetRoutes,
  githubRoutes,
  mirrorRoutes,
];

/** Secure cookies get the __Host- prefix: no subdomain can set or shadow them. */
export const sessionCookieName = (publicUrl: string) =>
  new URL(publicUrl).protocol === 'https:' ? '__Host-gatehouse' : 'gatehouse';

/** This site's origin as a WebSocket origin (ws: for http:, wss: for https:). */
export const socketOrigin = (publicUrl: URL) => `${publicUrl.protocol === 'https:' ? 'wss' : 'ws'}://${publicUrl.host}`;

/** The web service's pages, built from their dependencies. It never listens. */
export function createWebApp(deps: WebDeps): Service {
  const { settings, logger, clock, store, auth, verifier, mirror, assets } = deps;
  const publicUrl = new URL(settings.publicUrl);
  const https = publicUrl.protocol === 'https:';
  const githubOAuthOrigin = new URL(settings.githubOAuthUrl).origin;
  const security = {
    https,
    socketOrigin: socketOrigin(publicUrl),
    ...(mirror ? { formTargets: [githubOAuthOrigin] } : {}),
  };
  const app = createService({
    name: 'web',
    logger,
    parseBody: false,
    trustedProxies: settings.trustedProxies,
    // Auth is deliberately not a readiness check: without it the pages still
    // answer (with a friendly "try again"), while an unready web would turn
    // into the gateway's bare 502 for everyone.
    readiness: { sessions: () => store.ping() },
  });
  const signedIn = createSignedIn({ auth, verifier, clock, logger });

  app.use(securityHeaders(security));
  app.use(assetRoutes(assets));
  app.use(viewsMiddleware(createViewEnvironment({ watch: settings.watchTemplates ?? false })));
  app.use(htmlErrors(logger));
  for (const middleware of sessions(app, {
    store,
    clock,
    cookieName: sessionCookieName(settings.publicUrl),
    secure: https,
    idleMs: settings.idleTimeoutMs,
    absoluteMs: settings.absoluteTimeoutMs,
    onExpired: (user, ctx) => {
      void signedIn
        .revoke(ctx, user, 'local')
        .catch((err: unknown) =>
          logger.warn(
            { req_id: callOf(ctx).requestId, err: (err as Error).message },
            'could not revoke an expired session',
          ),
        );
    },
  })) {
    app.use(middleware);
  }
  app.use(pageState({ assets, signedIn, clock, logger, github: mirror !== undefined }));
  // After the error pages and the page state they render with.
  // Every page form is a browser form; csrfGuard below checks each unsafe request.
  app.use(bodyParser({ limit: 32 * 1024, forms: 'all' }));

  const device = deviceCookie(sessionCookieName(settings.publicUrl), https);
  const confirmBinding = createConfirmBindingCookie(settings.sessionSecret, https);
  const routeDeps: RouteDeps = {
    auth,
    mirror,
    signedIn,
    clock,
    logger,
    githubOAuthOrigin,
    security,
    device,
    confirmBinding,
  };
  const router = new Router();
  for (const routes of routeModules) router.use(routes(routeDeps).routes());
  // Every unsafe request passes the CSRF check before any route; a route may only say how to redraw its form.
  app.use(csrfGuard({ publicOrigin: publicUrl.origin, logger, router, refused: (ctx) => showErrorPage(ctx, 403) }));
  app.use(router.routes()).use(router.allowedMethods());
  return app;
}
