import Router from '@koa/router';
import type { SandboxDeps } from '../deps.js';
import { readWindow } from '../store/rate-usage.js';
import { anonymousLimit, rateSubject, setRateHeaders } from './api-context.js';

/** GET /rate_limit: the caller's window, without counting this request (as GitHub documents). */
export function rateLimitRoutes(deps: Pick<SandboxDeps, 'db' | 'clock' | 'settings'>) {
  const router = new Router({ prefix: '/api/v3' });
  router.get('/rate_limit', async (ctx) => {
    const now = deps.clock.now();
    const limit = ctx.state.caller ? deps.settings.rateLimitPerHour : anonymousLimit;
    const window = await readWindow(deps.db, rateSubject(ctx), now);
    const used = window?.used ?? 0;
    const resetAt = window?.reset_at ?? new Date(now.getTime() + 3600_000);
    setRateHeaders(ctx, limit, used, resetAt);
    const core = {
      limit,
      used: Math.min(used, limit),
      remaining: Math.max(0, limit - used),
      reset: Math.ceil(resetAt.getTime() / 1000),
    };
    const idle = (n: number) => ({ limit: n, used: 0, remaining: n, reset: core.reset });
    ctx.body = {
      resources: {
        core,
        search: idle(30),
        graphql: idle(5000),
        integration_manifest: idle(5000),
        code_search: idle(10),
      },
      rate: core,
    };
  });
  return router;
}
