import { createServer } from 'node:net';

export interface PortClaim {
  /** What will listen there, for the message. */
  what: string;
  host: string;
  port: number;
  /** The variable that moves it. */
  variable: string;
}

/** True when nothing listens on host:port (we could bind it). */
export function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The claims whose port is taken, checked before anything starts. */
export async function takenPorts(claims: PortClaim[]): Promise<PortClaim[]> {
  const results = await Promise.all(claims.map(async (c) => ((await portIsFree(c.host, c.port)) ? undefined : c)));
  return results.filter((c): c is PortClaim => c !== undefined);
}

/** A port nothing listens on right now, for test stacks. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Several distinct free ports. */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort(host));
  return [...ports];
}
