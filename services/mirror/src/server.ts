import { exitOnSignals, serve } from '@gatehouse/service-kit';
import { readMirrorConfig } from './config.js';
import { createMirrorRuntime } from './runtime.js';

const config = readMirrorConfig();
const runtime = await createMirrorRuntime(config);
const { logger } = runtime.deps;
const running = await serve(runtime.app, {
  port: config.PORT,
  host: config.HOST,
  logger,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  onClose: [() => runtime.close()],
});
running.server.on('upgrade', (req, socket, head) => void runtime.events.handleUpgrade(req, socket, head));
exitOnSignals(running, logger);
logger.info({ url: running.url, database: runtime.deps.db.kind, github: config.GITHUB_API_URL }, 'mirror service listening');
