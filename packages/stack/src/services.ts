import type { ServiceEntry, StackAddresses } from './service-entry.js';

/**
 * THE service list. nginx's template, the Node gateway, the local run, the
 * compose file, the README's configuration table and the e2e suite's
 * revocation sweep are all derived from it: a new service is one entry here
 * (then `npm run generate` rewrites the generated files).
 */
/** Client id of Gatehouse's OAuth app on the stand-in (not a secret; its secret is GITHUB_CLIENT_SECRET). */
export const gatehouseClientId = 'Ov23liGatehouseLocal';

/** Where the mirror (and web's redirects) find GitHub by default: the stand-in, laid out as GitHub Enterprise Server. */
function githubLinks(stack: StackAddresses) {
  return {
    GITHUB_CLIENT_ID: gatehouseClientId,
    GITHUB_OAUTH_URL: stack.hostUrl('github-sandbox'),
    GITHUB_API_URL: `${stack.hostUrl('github-sandbox')}/api/v3`,
  };
}

export const services: readonly ServiceEntry[] = [
  {
    name: 'auth',
    package: '@gatehouse/auth',
    dir: 'services/auth',
    configExport: 'authConfigSchema',
    port: 3001,
    routes: [{ prefix: '/api/auth/', stripPrefix: true }],
    // Introspection, the revocation feed and /v1/internal/… (GitHub sign-in) are for other services only
    // (HTTP Basic with SERVICE_SECRET).
    internal: ['/v1/introspect', '/v1/revocations', '/v1/internal'],
    rateLimited: [
      { path: '/v1/token', zone: 'login' },
      // Confirming with a password is a password guess like a login.
      { path: '/v1/email/confirm', zone: 'login' },
      { path: '/v1/signup', zone: 'signup' },
      { path: '/v1/email/resend', zone: 'resend' },
      { path: '/v1/password/forgot', zone: 'forgot' },
    ],
    secrets: ['PASSWORD_PEPPER', 'SERVICE_SECRET', 'JWT_PRIVATE_KEY'],
    database: true,
    redis: true,
    smtp: true,
    // A verifier on a stream hears of a revocation another auth replica took at this replica's next
    // heartbeat (events reach other replicas through Postgres): a quarter second keeps "refused within 1 s".
    replicaEnv: { REVOCATION_HEARTBEAT_MS: '250' },
    bearerRoutes: [
      { method: 'GET', path: '/v1/me' },
      { method: 'POST', path: '/v1/logout', body: { scope: 'local' } },
      {
        method: 'POST',
        path: '/v1/password/change',
        body: { current_password: 'irrelevant-for-this-check', new_password: 'irrelevant-for-this-check-2' },
      },
    ],
  },
  {
    name: 'web',
    package: '@gatehouse/web',
    dir: 'services/web',
    configExport: 'webConfigSchema',
    port: 3000,
    // /mirror/events is the browser's progress socket (web bridges it to the mirror's), so it may upgrade;
    // the rest of web's pages stay on keep-alive HTTP.
    routes: [{ prefix: '/' }, { prefix: '/assets/', immutableAssets: true }, { prefix: '/mirror/', websocket: true }],
    rateLimited: [
      { path: '/login', zone: 'login' },
      { path: '/confirm-email', zone: 'login' },
      { path: '/signup', zone: 'signup' },
      { path: '/confirm-email/resend', zone: 'resend' },
      { path: '/forgot-password', zone: 'forgot' },
    ],
    secrets: ['SESSION_SECRET', 'SERVICE_SECRET'],
    database: true,
    redis: true,
    // GITHUB_OAUTH_URL: the one host web redirects browsers to, the same the mirror sends them to.
    links: (stack) => ({
      AUTH_URL: stack.url('auth'),
      MIRROR_URL: stack.url('mirror'),
      GITHUB_OAUTH_URL: githubLinks(stack).GITHUB_OAUTH_URL,
    }),
    dependsOn: ['auth', 'mirror'],
  },
  {
    name: 'mirror',
    package: '@gatehouse/mirror',
    dir: 'services/mirror',
    configExport: 'mirrorConfigSchema',
    port: 3002,
    routes: [{ prefix: '/api/mirror/', stripPrefix: true, websocket: true }],
    // OAuth start/finish are web's alone (HTTP Basic with SERVICE_SECRET).
    internal: ['/v1/internal/'],
    secrets: ['SERVICE_SECRET', 'GITHUB_CLIENT_SECRET', 'GITHUB_TOKEN_KEYS'],
    database: true,
    // Pointed at the stand-in by default; the local run lets exported GITHUB_* win.
    links: (stack) => ({ AUTH_URL: stack.url('auth'), ...githubLinks(stack) }),
    dependsOn: ['auth'],
    // The events socket is checked by the mirror's own socket test (refused before upgrading, closed on logout).
    bearerRoutes: [
      { method: 'GET', path: '/v1/github/connection' },
      { method: 'GET', path: '/v1/mirrors' },
      { method: 'POST', path: '/v1/github/authorize', body: { private: false } },
      { method: 'DELETE', path: '/v1/github/connection' },
      { method: 'POST', path: '/v1/mirrors', body: {} },
    ],
  },
  {
    name: 'github-sandbox',
    package: '@gatehouse/github-sandbox',
    dir: 'services/github-sandbox',
    configExport: 'sandboxConfigSchema',
    port: 3003,
    directPage: 'GitHub',
    routes: [],
    standIn: {
      hostAlias: 'github.localhost',
      realHostVariables: ['GITHUB_OAUTH_URL', 'GITHUB_API_URL', 'GITHUB_CLIENT_ID', 'GITHUB_CLIENT_SECRET'],
    },
    secrets: ['GITHUB_CLIENT_SECRET', 'SANDBOX_ADMIN_TOKEN'],
    database: true,
    // Gatehouse's own OAuth app, registered with a generated secret; the mirror service reads the same two.
    links: (stack) => ({
      PUBLIC_URL: stack.hostUrl('github-sandbox'),
      GITHUB_CLIENT_ID: gatehouseClientId,
      GITHUB_APP_NAME: 'Gatehouse',
      GITHUB_CALLBACK_URL: `${stack.publicUrl}/github/callback`,
    }),
  },
];
