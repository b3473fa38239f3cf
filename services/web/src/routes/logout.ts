import Router from '@koa/router';
import { onCsrfRejected } from '../csrf.js';
import { regenerate, sessionOf } from '../session/session.js';
import { seeOther } from '../signed-in.js';
import { render } from '../views.js';
import type { RouteDeps } from './deps.js';

export function logoutRoutes(deps: RouteDeps) {
  const router = new Router();

  router.post(
    '/logout',
    // A refused logout asks once more, with a form that will work.
    onCsrfRejected((ctx) => render(ctx, 'logout')),
    async (ctx) => {
      const user = sessionOf(ctx).user;
      if (user) await deps.signedIn.revoke(ctx, user, 'local');
      // A new id with nothing in it: the old cookie, if replayed, is nobody.
      await regenerate(ctx, deps.clock, user ? { flash: { kind: 'success', text: 'You’re logged out.' } } : {});
      seeOther(ctx, '/');
    },
  );

  return router;
}
