import Router from '@koa/router';
import type { AuthDeps } from '../deps.js';

export function jwksRoutes(deps: AuthDeps) {
  const body = deps.keys.jwks();
  return new Router().get('/.well-known/jwks.json', (ctx) => {
    // Short enough that a rotated-in key reaches verifiers long before it signs anything they must check.
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = body;
  });
}
