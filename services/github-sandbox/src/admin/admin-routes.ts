import Router from '@koa/router';
import { z } from 'zod';
import { AppError, validate } from '@gatehouse/service-kit';
import type { SandboxDeps } from '../deps.js';
import { resolveRedirect } from '../oauth/apps.js';
import { withParams } from '../oauth/authorize-routes.js';
import { issueCode, issueToken } from '../oauth/grants.js';
import { joinScopes, parseScopes } from '../oauth/scopes.js';
import { clearFaults, faultKinds, insertFault, listFaults } from '../store/faults.js';
import { ensureUser, loginPattern } from '../store/users.js';

const login = z
  .string()
  .regex(loginPattern, 'login_invalid: A GitHub-style login: letters, digits, single inner hyphens.');

const authorizeBody = z.strictObject({
  client_id: z.string(),
  login,
  scope: z.string().default(''),
  redirect_uri: z.string().optional(),
  state: z.string().default(''),
  code_challenge: z.string().optional(),
});

const tokenBody = z.strictObject({ client_id: z.string(), login, scope: z.string().default('') });

const faultBody = z.strictObject({
  kind: z.enum(faultKinds),
  times: z.number().int().min(1).max(1000).default(1),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).optional(),
  path: z.string().startsWith('/').default('/'),
  status: z.number().int().optional(),
  retry_after: z.number().int().min(0).optional(),
  delay_ms: z.number().int().min(0).max(120_000).optional(),
});

/**
 * The stand-in's test hooks, behind adminAuth: users, a consent without a
 * browser, tokens directly, and faults for the next N matching requests.
 */
export function adminRoutes(deps: Pick<SandboxDeps, 'db' | 'clock' | 'apps'>) {
  const router = new Router({ prefix: '/_sandbox' });
  const appOf = (clientId: string) => {
    const app = deps.apps.find(clientId);
    if (!app)
      throw new AppError('validation_failed', {
        errors: [{ field: 'client_id', code: 'unknown_client', message: 'No OAuth app has this client_id.' }],
      });
    return app;
  };

  router.post('/users', async (ctx) => {
    const body = validate(z.strictObject({ login }), ctx.request.body);
    const user = await ensureUser(deps.db, body.login, deps.clock.now());
    ctx.status = 201;
    ctx.body = { id: user.id, login: user.login };
  });

  router.post('/oauth/authorize', async (ctx) => {
    const body = validate(authorizeBody, ctx.request.body);
    const app = appOf(body.client_id);
    const redirect = resolveRedirect(app, body.redirect_uri);
    if (!redirect)
      throw new AppError('validation_failed', {
        errors: [
          { field: 'redirect_uri', code: 'redirect_uri_mismatch', message: 'Outside the registered callback URL.' },
        ],
      });
    const user = await ensureUser(deps.db, body.login, deps.clock.now());
    const code = await issueCode(deps, {
      clientId: app.client_id,
      userId: user.id,
      scopes: parseScopes(body.scope),
      redirectUri: redirect,
      codeChallenge: body.code_challenge ?? null,
    });
    ctx.body = { code, state: body.state, location: withParams(redirect, { code, state: body.state }) };
  });

  router.post('/oauth/tokens', async (ctx) => {
    const body = validate(tokenBody, ctx.request.body);
    const app = appOf(body.client_id);
    const user = await ensureUser(deps.db, body.login, deps.clock.now());
    ctx.status = 201;
    ctx.body = await issueToken(deps, {
      clientId: app.client_id,
      userId: user.id,
      scope: joinScopes(parseScopes(body.scope)),
    });
  });

  router.post('/faults', async (ctx) => {
    const body = validate(faultBody, ctx.request.body);
    const fault = await insertFault(
      deps.db,
      {
        kind: body.kind,
        method: body.method ?? null,
        path_prefix: body.path,
        remaining: body.times,
        params: {
          ...(body.status === undefined ? {} : { status: body.status }),
          ...(body.retry_after === undefined ? {} : { retry_after: body.retry_after }),
          ...(body.delay_ms === undefined ? {} : { delay_ms: body.delay_ms }),
        },
      },
      deps.clock.now(),
    );
    ctx.status = 201;
    ctx.body = fault;
  });

  router.get('/faults', async (ctx) => {
    ctx.body = { faults: await listFaults(deps.db) };
  });

  router.delete('/faults', async (ctx) => {
    await clearFaults(deps.db);
    ctx.status = 204;
  });

  return router;
}
