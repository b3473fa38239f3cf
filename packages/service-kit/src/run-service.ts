import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from './logger.js';
import type { Service } from './create-service.js';
import { exitOnSignals, serve } from './serve.js';

/** The settings every service's config schema has. */
export interface ListenConfig {
  PORT: number;
  HOST: string;
  SHUTDOWN_TIMEOUT_MS: number;
}

/** A service built from its config: the app, its logger, and how to release what it holds. */
export interface ServiceRuntime {
  app: Service;
  deps: { logger: Logger };
  /** Called once the server has stopped taking requests (pools, workers, clients). */
  close(): Promise<void>;
  /** WebSocket upgrades, for a service that serves sockets (Koa itself never sees them). */
  upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
}

/**
 * A service's whole server.ts: read the config (exiting on a bad one), build
 * the runtime, listen, log where, and drain on SIGTERM/SIGINT. `describe`
 * adds the fields worth seeing in the "listening" line (which database, …).
 */
export async function runService<C extends ListenConfig, R extends ServiceRuntime>(
  readConfig: () => C,
  createRuntime: (config: C) => Promise<R>,
  describe: (runtime: R, config: C) => Record<string, unknown> = () => ({}),
): Promise<void> {
  const config = readConfig();
  const runtime = await createRuntime(config);
  const { logger } = runtime.deps;
  const running = await serve(runtime.app, {
    port: config.PORT,
    host: config.HOST,
    logger,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    onClose: [() => runtime.close()],
  });
  const { upgrade } = runtime;
  if (upgrade)
    running.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => upgrade(req, socket, head));
  exitOnSignals(running, logger);
  logger.info({ url: running.url, ...describe(runtime, config) }, 'listening');
}
