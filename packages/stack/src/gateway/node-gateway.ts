import { randomBytes } from 'node:crypto';
import { Agent, createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';
import { createProxyServer } from 'http-proxy-3';
import {
  edgeError,
  errorFormat,
  errorHtml,
  errorJson,
  immutableCacheControl,
  maxBodyBytes,
  maxHeaderBytes,
  maxHeaderLineBytes,
  rateLimitRetryAfterSeconds,
  rateZones,
} from '../edge-policy.js';
import { normalizePath, resolve, type RouteTable } from '../route-table.js';
import type { RateZone } from '../service-entry.js';
import {
  applyEdgeHeaders,
  countBodyBytes,
  encodePath,
  forwardHeaders,
  hopByHop,
  pickRequestId,
  readBody,
  redirect,
  send,
  sendEdgeError,
  type RoutedRequest,
} from './edge-http.js';
import { RateLimiter } from './rate-limiter.js';

/**
 * The edge for machines without nginx: the same routes (the route table),
 * the same headers, limits and error pages (edge-policy.ts), in Node with
 * http-proxy-3. nginx stays the real front door in compose and CI; this one
 * exists so `npm start` needs nothing but Node.
 */
export interface GatewayOptions {
  table: RouteTable;
  /** host:port of each service, by name. */
  upstreams: Record<string, string>;
  /** One line per request, in the nginx access-log format. */
  log?: (line: string) => void;
}

export interface Gateway {
  server: Server;
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

/** How long an upstream may take to answer (nginx's proxy_read_timeout default). */
const upstreamTimeoutMs = 60_000;


export function createGateway(options: GatewayOptions): Gateway {
  const { table } = options;
  const log = options.log ?? (() => {});
  const limiters = new Map<RateZone, RateLimiter>(
    Object.entries(rateZones).map(([zone, settings]) => [zone as RateZone, new RateLimiter(settings)]),
  );
  const agent = new Agent({ keepAlive: true, maxFreeSockets: 32, keepAliveMsecs: 1000 });
  const proxy = createProxyServer({ agent, xfwd: false, selfHandleResponse: true, proxyTimeout: upstreamTimeoutMs });

  const server = createServer({ maxHeaderSize: maxHeaderBytes, requestTimeout: 60_000, headersTimeout: 60_000, keepAliveTimeout: 65_000 }, (req: RoutedRequest, res) => {
    const started = performance.now();
    const requestId = pickRequestId(req.headers['x-request-id']);
    const rawPath = (req.url ?? '/').split('?')[0]!;
    const query = (req.url ?? '').slice(rawPath.length);
    const path = normalizePath(rawPath);
    req.gatehousePath = rawPath;
    let upstream = '-';
    const bytes = countBodyBytes(res);
    res.on('finish', () => {
      const seconds = ((performance.now() - started) / 1000).toFixed(3);
      log(`${req.socket.remoteAddress} ${req.method} ${path ?? rawPath} ${res.statusCode} ${bytes()} ${seconds}s rid=${requestId} upstream=${upstream}`);
    });
    const fail = (status: number, extra: Record<string, string> = {}) => sendEdgeError(req, res, status, requestId, extra);

    if (path === undefined) return fail(400);
    if (Object.entries(req.headers).some(([name, value]) => name.length + String(value).length + 2 > maxHeaderLineBytes)) {
      return fail(431);
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBodyBytes) return fail(413);

    const resolution = resolve(table, path, req.method ?? 'GET');
    if (resolution.kind === 'health') {
      return send(res, 200, requestId, 'application/json', '{"status":"ok"}', { 'Cache-Control': 'no-store' }, req.method === 'HEAD');
    }
    if (resolution.kind === 'blocked') return fail(404);
    if (resolution.kind === 'no-route') {
      // As nginx does for a prefix location: "/api/auth" → "/api/auth/".
      const withSlash = table.routes.find((r) => r.prefix === `${path}/`);
      if (withSlash) return redirect(res, requestId, `${path}/${query}`);
      return fail(404);
    }
    const { route, zone, upstreamPath } = resolution;
    if (zone && !limiters.get(zone)!.take(req.socket.remoteAddress ?? '')) {
      return fail(429, { 'Retry-After': String(rateLimitRetryAfterSeconds) });
    }
    upstream = options.upstreams[route.service] ?? '-';
    req.gatehouseRoute = route;

    readBody(req, maxBodyBytes).then(
      (body) => {
        if (body === 'too-large') return fail(413);
        req.url = route.stripPrefix ? `${encodePath(upstreamPath)}${query}` : req.url;
        forwardHeaders(req, requestId, body.length);
        proxy.web(req, res, { target: `http://${upstream}`, buffer: Readable.from([body]) });
      },
      () => fail(400),
    );
  });

  proxy.on('proxyReq', (proxyReq, req: RoutedRequest) => {
    proxyReq.setTimeout(upstreamTimeoutMs, () => {
      req.gatehouseTimedOut = true;
    });
  });

  proxy.on('proxyRes', (proxyRes, req: RoutedRequest, res) => {
    const route = req.gatehouseRoute;
    const requestId = String(req.headers['x-request-id']);
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(proxyRes.headers)) {
      if (value === undefined || hopByHop.includes(name) || name === 'x-request-id') continue;
      headers[name] = value;
    }
    applyEdgeHeaders(headers, requestId);
    if (route?.immutableAssets) {
      const status = proxyRes.statusCode ?? 502;
      headers['cache-control'] = status === 200 || status === 304 ? immutableCacheControl : 'no-store';
    }
    res.writeHead(proxyRes.statusCode ?? 502, headers);
    proxyRes.pipe(res);
  });

  proxy.on('error', (_err, req: RoutedRequest, target) => {
    if (!('writeHead' in target)) {
      (target as Socket).destroy();
      return;
    }
    const res = target as ServerResponse;
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendEdgeError(req, res, req.gatehouseTimedOut ? 504 : 502, String(req.headers['x-request-id']), {});
  });

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const rawPath = (req.url ?? '/').split('?')[0]!;
    const path = normalizePath(rawPath);
    const resolution = path ? resolve(table, path, req.method ?? 'GET') : undefined;
    if (resolution?.kind !== 'proxy' || !resolution.route.websocket) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const requestId = pickRequestId(req.headers['x-request-id']);
    const { route, upstreamPath } = resolution;
    if (route.stripPrefix) req.url = `${encodePath(upstreamPath)}${(req.url ?? '').slice(rawPath.length)}`;
    forwardHeaders(req, requestId, undefined, true);
    proxy.ws(req, socket, head, { target: `http://${options.upstreams[route.service]}` });
  });

  // Every client socket, upgraded WebSockets included (closeAllConnections does not see those).
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  // Node refuses oversized or slow headers before a request exists; answer like nginx would.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const firstLine = /^[A-Z]+ (\S+)/.exec(String((err as { rawPacket?: Buffer }).rawPacket ?? ''));
    const requestId = randomBytes(16).toString('hex');
    const error = edgeError(status);
    const format = errorFormat(firstLine?.[1] ?? '/');
    const body = format === 'json' ? errorJson(error, requestId) : errorHtml(error, requestId);
    const headers: Record<string, string> = {
      'Content-Type': format === 'json' ? 'application/problem+json; charset=utf-8' : 'text/html; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(body)),
      Connection: 'close',
      'Cache-Control': 'no-store',
    };
    applyEdgeHeaders(headers, requestId);
    const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n');
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head}\r\n\r\n${body}`);
  });

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
        agent.destroy();
        proxy.close();
      }),
  };
}
