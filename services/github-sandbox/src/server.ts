import { exitOnSignals, serve } from '@gatehouse/service-kit';
import { readSandboxConfig } from './config.js';
import { createSandboxRuntime } from './runtime.js';

const config = readSandboxConfig();
const runtime = await createSandboxRuntime(config);
const { logger, settings, apps } = runtime.deps;
const running = await serve(runtime.app, {
  port: config.PORT,
  host: config.HOST,
  logger,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  onClose: [() => runtime.close()],
});
logger.info(
  { url: running.url, public_url: settings.publicUrl, api_url: settings.apiUrl, oauth_apps: apps.all().map((a) => a.client_id), admin_api: Boolean(settings.adminToken) },
  'github-sandbox listening',
);
exitOnSignals(running, logger);
