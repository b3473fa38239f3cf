import { exitOnSignals, serve } from '@gatehouse/service-kit';
import { readAuthConfig } from './config.js';
import { createAuthRuntime } from './runtime.js';

const config = readAuthConfig();
const runtime = await createAuthRuntime(config);
const { logger } = runtime.deps;
const running = await serve(runtime.app, {
  port: config.PORT,
  host: config.HOST,
  logger,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  onClose: [() => runtime.close()],
});
exitOnSignals(running, logger);
logger.info({ url: running.url, database: runtime.deps.db.kind, redis: Boolean(config.REDIS_URL) }, 'auth service listening');
