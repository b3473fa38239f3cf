import { Agent, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createProxyServer } from 'http-proxy-3';
import type { StandInDoor } from '../route-table.js';
import { logAccess, pickRequestId } from './edge-http.js';
import { listening, type Gateway } from './listening.js';

export interface StandInDoorOptions {
  door: StandInDoor;
  /** host:port of the stand-in's own process. */
  upstream: string;
  /** One line per request, in the nginx access-log format. */
  log?: (line: string) => void;
}

/**
 * What nginx's stand-ins/<name>.conf does, for the Node front door: everything on the stand-in's
 * port passes to it as it comes, both ways (git streams packs), with none of Gatehouse's policies —
 * no body limit, no rate limits, no error pages or security headers.
 */
export function createStandInDoor(options: StandInDoorOptions): Gateway {
  const timeoutMs = options.door.timeoutSeconds * 1000;
  const agent = new Agent({ keepAlive: true, maxFreeSockets: 8 });
  const proxy = createProxyServer({
    agent,
    xfwd: false,
    proxyTimeout: timeoutMs,
    target: `http://${options.upstream}`,
  });
  const log = options.log ?? (() => {});
  // No limit on the whole request (Node's default is 5 minutes): a big push takes what it takes.
  const server = createServer({ requestTimeout: 0, headersTimeout: 60_000, keepAliveTimeout: 65_000 }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    logAccess(log, req, res, pickRequestId(req.headers['x-request-id']), path).upstream = options.upstream;
    // As nginx's proxy_set_header: replaced, never appended to what the client sent.
    req.headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
    req.headers['x-forwarded-proto'] = 'http';
    if (req.headers.host !== undefined) req.headers['x-forwarded-host'] = req.headers.host;
    else delete req.headers['x-forwarded-host'];
    proxy.web(req, res);
  });
  // The stand-in did not answer: nginx's plain 502, not Gatehouse's page.
  proxy.on('error', (_err, _req: IncomingMessage, target: ServerResponse | Socket) => {
    if (!('writeHead' in target) || target.headersSent) {
      target.destroy();
      return;
    }
    target.writeHead(502, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
    target.end('502 Bad Gateway\n');
  });
  return listening(server, () => {
    agent.destroy();
    proxy.close();
  });
}
