import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A server of the Node front door: the gateway itself, or a stand-in's door. */
export interface Gateway {
  server: Server;
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

/** listen() resolving to the base URL, and close() that ends every socket at once (upgraded ones too). */
export function listening(server: Server, release: () => void): Gateway {
  const sockets = trackSockets(server);
  return {
    server,
    listen: (port, host) =>
      new Promise((resolveListen, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          resolveListen(`http://${host.includes(':') ? `[${host}]` : host}:${address.port}`);
        });
      }),
    close: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        for (const socket of sockets) socket.destroy();
        release();
      }),
  };
}

/** Every client socket, upgraded WebSockets included (closeAllConnections does not see those). */
function trackSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return sockets;
}
