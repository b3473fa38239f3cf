import type { Middleware } from 'koa';
import type { Registry } from 'prom-client';

export type ReadinessCheck = () => Promise<unknown>;

export interface HealthOptions {
  checks: Record<string, ReadinessCheck>;
  registry: Registry;
  isDraining: () => boolean;
  timeoutMs?: number;
}

/**
 * /healthz says the process answers; /readyz says its dependencies do too,
 * and turns 503 while draining so a balancer stops sending new work.
 */
export function healthRoutes(options: HealthOptions): Middleware {
  const timeoutMs = options.timeoutMs ?? 2000;
  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path === '/healthz') {
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { status: 'ok' };
      return;
    }
    if (ctx.path === '/readyz') {
      const results = await Promise.all(
        Object.entries(options.checks).map(async ([name, check]) => [name, await probe(check, timeoutMs)] as const),
      );
      const checks = Object.fromEntries(results);
      const ready = !options.isDraining() && results.every(([, result]) => result === 'ok');
      ctx.set('Cache-Control', 'no-store');
      ctx.status = ready ? 200 : 503;
      ctx.body = { status: options.isDraining() ? 'draining' : ready ? 'ready' : 'unready', checks };
      return;
    }
    if (ctx.path === '/metrics') {
      ctx.set('Cache-Control', 'no-store');
      ctx.type = options.registry.contentType;
      ctx.body = await options.registry.metrics();
      return;
    }
    return next();
  };
}

async function probe(check: ReadinessCheck, timeoutMs: number): Promise<'ok' | 'failed' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    return await Promise.race([check().then(() => 'ok' as const), timeout]);
  } catch {
    return 'failed';
  } finally {
    clearTimeout(timer);
  }
}
