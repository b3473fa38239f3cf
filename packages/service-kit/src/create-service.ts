import Koa from 'koa';
import { bodyParser, type FormPolicy } from './body-parser.js';
import { errorHandler } from './error-handler.js';
import { healthRoutes, type ReadinessCheck } from './health.js';
import { redactUrl, type Logger } from './logger.js';
import { createMetrics } from './metrics.js';
import { requestId } from './request-id.js';
import { defaultTrustedProxies, trustedProxies } from './trusted-proxies.js';

export interface ServiceOptions {
  name: string;
  logger: Logger;
  /** Dependencies /readyz probes, by name. */
  readiness?: Record<string, ReadinessCheck>;
  /** Largest request body in bytes. */
  bodyLimit?: number;
  /** Where urlencoded bodies are accepted as well as JSON (none by default; see FormPolicy). */
  forms?: FormPolicy;
  /** The longest text a field may hold, when the service needs more than maxTextLength. */
  maxTextLength?: number;
  /** TRUSTED_PROXIES: the peers whose X-Forwarded-* headers count. Every service passes its config's; default loopback. */
  trustedProxies?: readonly string[];
  /**
   * Install the body parser here (default). A browser-facing service passes
   * false and installs `bodyParser` after its own error pages, so a 413 or
   * a malformed form becomes a page rather than problem+json.
   */
  parseBody?: boolean;
}

export interface ServiceState {
  draining: boolean;
}

export type Service = Koa & { gatehouse: ServiceState };

/**
 * A Koa app with everything a Gatehouse service needs before its own routes:
 * request ids, access logs, metrics, one error mapping, health endpoints and
 * a body parser that refuses oversized and ambiguous input.
 */
export function createService(options: ServiceOptions): Service {
  // X-Forwarded-* count, but only a trusted proxy's survive trustedProxies() below, which also sets ctx.ip.
  const app = new Koa({ proxy: true, maxIpsCount: 1 }) as Service;
  app.gatehouse = { draining: false };
  // Errors are logged once, by errorHandler; Koa's own printer would log them twice.
  app.silent = true;
  const { logger } = options;
  const metrics = createMetrics(options.name);

  app.use(trustedProxies(options.trustedProxies ?? defaultTrustedProxies.split(',')));
  app.use(requestId());
  app.use(async (ctx, next) => {
    const start = performance.now();
    try {
      await next();
    } finally {
      if (app.gatehouse.draining) ctx.set('Connection', 'close');
      logger.info(
        {
          req_id: ctx.state.requestId,
          method: ctx.method,
          path: redactUrl(ctx.originalUrl),
          status: ctx.status,
          ms: Math.round((performance.now() - start) * 10) / 10,
          ip: ctx.ip,
        },
        'request',
      );
    }
  });
  app.use(metrics.middleware);
  app.use(errorHandler(logger));
  app.use(
    healthRoutes({
      checks: options.readiness ?? {},
      registry: metrics.registry,
      isDraining: () => app.gatehouse.draining,
    }),
  );
  if (options.parseBody !== false) {
    app.use(
      bodyParser({
        limit: options.bodyLimit ?? 16 * 1024,
        ...(options.forms ? { forms: options.forms } : {}),
        ...(options.maxTextLength ? { maxTextLength: options.maxTextLength } : {}),
      }),
    );
  }
  return app;
}
