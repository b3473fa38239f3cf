import Router from '@koa/router';
import { z } from 'zod';
import { validate } from '@gatehouse/service-kit';
import type { AuthDeps } from '../deps.js';
import { requireServiceCredential } from '@gatehouse/service-kit';

// No length cap here: RFC 7662 answers any unusable token with active:false, and the body limit bounds it.
const body = z.object({ token: z.string(), token_type_hint: z.string().optional() });

/** RFC 7662 introspection for the other services; not published through nginx. */
export function introspectRoutes(deps: AuthDeps) {
  return new Router().post('/v1/introspect', requireServiceCredential(deps.settings.serviceSecret), async (ctx) => {
    const { token } = validate(body, ctx.request.body);
    ctx.set('Cache-Control', 'no-store');
    const claims = deps.accessTokens.verify(token);
    if (!claims || (await deps.tokenStatus.isRevoked(claims))) {
      ctx.body = { active: false };
      return;
    }
    ctx.body = { active: true, token_type: 'Bearer', ...claims };
  });
}
