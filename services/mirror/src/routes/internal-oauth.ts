import Router from '@koa/router';
import { z } from 'zod';
import { requireServiceCredential, validate } from '@gatehouse/service-kit';
import type { MirrorDeps } from '../deps.js';
import { finishOauth, startOauth } from '../domain/oauth-flow.js';

// ≥128 bits of the browser's random binding, as web generates it.
const binding = z.string().min(22).max(256);
const text = z.string().max(2048);

const startBody = z.strictObject({
  purpose: z.enum(['signin', 'connect']),
  user_id: z.string().min(1).max(200).optional(),
  binding,
  private: z.boolean().optional(),
});

const finishBody = z.strictObject({
  state: text.optional(),
  code: text.optional(),
  error: text.optional(),
  error_description: text.optional(),
  error_uri: text.optional(),
  binding,
});

/** The OAuth start/finish web calls for both flows (service credential only; hidden by the edge). */
export function internalOauthRoutes(deps: MirrorDeps) {
  return new Router({ prefix: '/v1/internal/oauth' })
    .use(requireServiceCredential(deps.settings.serviceSecret))
    .post('/start', async (ctx) => {
      const input = validate(startBody, ctx.request.body);
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { authorization_url: await startOauth(deps, input) };
    })
    .post('/finish', async (ctx) => {
      const input = validate(finishBody, ctx.request.body);
      ctx.set('Cache-Control', 'no-store');
      ctx.body = await finishOauth(deps, input);
    });
}
