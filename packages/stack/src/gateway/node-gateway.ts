import { randomBytes } from 'node:crypto';
import { Agent, createServer, STATUS_CODES, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
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
  requestIdPattern,
  securityHeaders,
} from '../edge-policy.js';
import { normalizePath, resolve, type EdgeRoute, type RouteTable } from '../route-table.js';
import type { RateZone } from '../service-entry.js';
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

type RoutedRequest = IncomingMessage & { gatehouseRoute?: EdgeRoute; gatehouseTimedOut?: boolean; gatehousePath?: string };

/** How long an upstream may take to answer (nginx's proxy_read_timeout default). */
const upstreamTimeoutMs = 60_000;

// Never forwarded: they describe one connection, not the request.
const hopByHop = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-authorization'];

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

function pickRequestId(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && requestIdPattern.test(incoming) ? incoming : randomBytes(16).toString('hex');
}

/** What proxy-common.conf sets in nginx, replacing whatever the client sent. */
function forwardHeaders(req: IncomingMessage, requestId: string, bodyLength: number | undefined, upgrade = false): void {
  const headers: IncomingHttpHeaders = req.headers;
  for (const name of hopByHop) if (!(upgrade && (name === 'connection' || name === 'upgrade'))) delete headers[name];
  headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
  headers['x-forwarded-proto'] = 'http';
  if (headers.host !== undefined) headers['x-forwarded-host'] = headers.host;
  else delete headers['x-forwarded-host'];
  headers['x-request-id'] = requestId;
  if (bodyLength !== undefined) {
    if (bodyLength > 0 || req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') {
      headers['content-length'] = String(bodyLength);
    } else {
      delete headers['content-length'];
    }
  }
}

/** security-headers.conf: the request id always; each policy header unless the upstream sent its own. */
function applyEdgeHeaders(headers: Record<string, string | string[]>, requestId: string): void {
  const present = new Set(Object.keys(headers).map((k) => k.toLowerCase()));
  headers['X-Request-ID'] = requestId;
  for (const { name, value } of securityHeaders) if (!present.has(name.toLowerCase())) headers[name] = value;
}

function sendEdgeError(req: RoutedRequest, res: ServerResponse, status: number, requestId: string, extra: Record<string, string>): void {
  const error = edgeError(status);
  // The path as the client sent it: a stripped prefix must not turn /api/ errors into pages.
  const format = errorFormat(req.gatehousePath ?? (req.url ?? '/').split('?')[0]!);
  const body = format === 'json' ? errorJson(error, requestId) : errorHtml(error, requestId);
  const type = format === 'json' ? 'application/problem+json; charset=utf-8' : 'text/html; charset=utf-8';
  // The body of a refused request may still be arriving; do not keep the connection.
  const close: Record<string, string> = status === 400 || status === 413 || status === 431 ? { Connection: 'close' } : {};
  send(res, status, requestId, type, body, { 'Cache-Control': 'no-store', ...close, ...extra }, req.method === 'HEAD');
}

function send(
  res: ServerResponse,
  status: number,
  requestId: string,
  type: string,
  body: string,
  extra: Record<string, string>,
  headOnly: boolean,
): void {
  const headers: Record<string, string> = { 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(body)), ...extra };
  applyEdgeHeaders(headers, requestId);
  res.writeHead(status, headers);
  res.end(headOnly ? undefined : body);
}

function redirect(res: ServerResponse, requestId: string, location: string): void {
  const headers: Record<string, string> = { Location: location, 'Content-Length': '0' };
  applyEdgeHeaders(headers, requestId);
  res.writeHead(301, headers);
  res.end();
}

/** The normalized path, escaped again for the request line (nginx does the same when it strips a prefix). */
function encodePath(path: string): string {
  return path.split('/').map((segment) => encodeURIComponent(segment).replace(/%40/g, '@').replace(/%3A/g, ':')).join('/');
}

/** Body bytes sent, for the access log ($body_bytes_sent). */
function countBodyBytes(res: ServerResponse): () => number {
  let total = 0;
  const write = res.write.bind(res);
  const end = res.end.bind(res);
  const measure = (chunk: unknown) => {
    if (typeof chunk === 'string') total += Buffer.byteLength(chunk);
    else if (chunk instanceof Uint8Array) total += chunk.byteLength;
  };
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    measure(chunk);
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof res.write;
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (typeof chunk !== 'function') measure(chunk);
    return (end as (...args: unknown[]) => ServerResponse)(chunk, ...rest);
  }) as typeof res.end;
  return () => total;
}

/** The whole body, up to `limit` bytes (nginx buffers request bodies too). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        req.resume();
        resolveBody('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) resolveBody(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}
