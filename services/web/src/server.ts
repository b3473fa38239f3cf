import { exitOnSignals, serve } from '@gatehouse/service-kit';
import { readWebConfig } from './config.js';
import { createWebRuntime } from './runtime.js';

const config = readWebConfig();
const runtime = await createWebRuntime(config);
const { logger } = runtime.deps;
const running = await serve(runtime.app, {
  port: config.PORT,
  host: config.HOST,
  logger,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  onClose: [() => runtime.close()],
});
running.server.on('upgrade', runtime.upgrade);
logger.info({ url: running.url, public_url: config.PUBLIC_URL, sessions: runtime.deps.store.kind }, 'web listening');
exitOnSignals(running, logger);
