import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './logger.js';
import type { Service } from './create-service.js';

export interface ServeOptions {
  port: number;
  host?: string;
  logger: Logger;
  /** How long in-flight requests may take to finish once shutdown begins. */
  shutdownTimeoutMs?: number;
  /** Run after the server has closed, in order: pools, workers, timers. */
  onClose?: (() => Promise<unknown> | unknown)[];
}

export interface Running {
  server: Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function serve(app: Service, options: ServeOptions): Promise<Running> {
  const server = createServer(app.callback());
  // Above nginx's upstream keep-alive timeout, so nginx closes first and
  // never reuses a socket Node is closing (the 502 race).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= shutdown(app, server, options));
  return { server, port, url: `http://${host}:${port}`, close };
}

async function shutdown(app: Service, server: Server, options: ServeOptions): Promise<void> {
  const { logger } = options;
  app.gatehouse.draining = true;
  logger.info('shutting down: no new connections, finishing requests in flight');
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timeoutMs = options.shutdownTimeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  // Keep-alive sockets that go idle after their last response must not hold shutdown open.
  const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
  const outcome = await Promise.race([closed, timedOut]);
  clearInterval(idleSweep);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    logger.warn({ timeout_ms: timeoutMs }, 'requests still in flight at shutdown deadline; closing them');
    server.closeAllConnections();
    await closed;
  }
  for (const step of options.onClose ?? []) {
    try {
      await step();
    } catch (err) {
      logger.error({ err }, 'shutdown step failed');
    }
  }
  logger.info('shut down');
}

/** SIGTERM (docker stop) and SIGINT (Ctrl-C) drain the server, then exit 0. */
export function exitOnSignals(running: Pick<Running, 'close'>, logger: Logger): void {
  const onSignal = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'signal received');
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
