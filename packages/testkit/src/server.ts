import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';

export interface TestServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Serves an app on a free port of 127.0.0.1, the way a test wants it. */
export async function listen(app: Pick<Koa, 'callback'>): Promise<TestServer> {
  const server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface LateServer extends TestServer {
  /** Sets the request handler (until then every request gets an empty 200). */
  set(handler: RequestListener): void;
}

/** A server listening before its app exists: services whose configs name each other's URLs start this way. */
export async function listenLate(): Promise<LateServer> {
  let handler: RequestListener = (_req, res) => res.end();
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    set: (next) => (handler = next),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
