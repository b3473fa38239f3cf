import { Agent, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { createProxyServer, type ProxyServer } from 'http-proxy-3';
import {
  immutableCacheControl,
  maxBodyBytes,
  maxHeaderBytes,
  maxHeaderLineBytes,
  rateLimitRetryAfterSeconds,
  rateZones,
  type RateZone,
} from '../edge-policy.js';
import { normalizePath, resolve, type RouteTable } from '../route-table.js';
import {
  answerClientError,
  applyEdgeHeaders,
  encodePath,
  forwardHeaders,
  hopByHop,
  logAccess,
  pickRequestId,
  readBody,
  redirect,
  send,
  sendEdgeError,
  type RoutedRequest,
} from './edge-http.js';
import { listening, type Gateway } from './listening.js';
import { RateLimiter } from './rate-limiter.js';

export type { Gateway };

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

/** How long an upstream may take to answer (nginx's proxy_read_timeout default). */
const upstreamTimeoutMs = 60_000;

interface Edge {
  table: RouteTable;
  upstreams: Record<string, string>;
  log: (line: string) => void;
  limiters: Map<RateZone, RateLimiter>;
  proxy: ProxyServer;
}

export function createGateway(options: GatewayOptions): Gateway {
  const agent = new Agent({ keepAlive: true, maxFreeSockets: 32, keepAliveMsecs: 1000 });
  const edge: Edge = {
    table: options.table,
    upstreams: options.upstreams,
    log: options.log ?? (() => {}),
    limiters: new Map(
      Object.entries(rateZones).map(([zone, settings]) => [zone as RateZone, new RateLimiter(settings)]),
    ),
    proxy: createProxyServer({ agent, xfwd: false, selfHandleResponse: true, proxyTimeout: upstreamTimeoutMs }),
  };
  const server = createServer(
    { maxHeaderSize: maxHeaderBytes, requestTimeout: 60_000, headersTimeout: 60_000, keepAliveTimeout: 65_000 },
    (req, res) => handleRequest(edge, req, res),
  );
  edge.proxy.on('proxyReq', (proxyReq, req: RoutedRequest) => {
    proxyReq.setTimeout(upstreamTimeoutMs, () => {
      req.gatehouseTimedOut = true;
    });
  });
  edge.proxy.on('proxyRes', passResponse);
  edge.proxy.on('error', (_err, req: RoutedRequest, target) => answerProxyError(req, target));
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => handleUpgrade(edge, req, socket, head));
  server.on('clientError', answerClientError);
  return listening(server, () => {
    agent.destroy();
    edge.proxy.close();
  });
}

/** One HTTP request, in nginx's order: malformed → too large → health/blocked/no route → rate zone → proxy. */
function handleRequest(edge: Edge, req: RoutedRequest, res: ServerResponse): void {
  const requestId = pickRequestId(req.headers['x-request-id']);
  const rawPath = (req.url ?? '/').split('?')[0]!;
  const query = (req.url ?? '').slice(rawPath.length);
  const path = normalizePath(rawPath);
  req.gatehousePath = rawPath;
  const logged = logAccess(edge.log, req, res, requestId, path ?? rawPath);
  const fail = (status: number, extra: Record<string, string> = {}) =>
    sendEdgeError(req, res, status, requestId, extra);

  if (path === undefined) return fail(400);
  if (
    Object.entries(req.headers).some(([name, value]) => name.length + String(value).length + 2 > maxHeaderLineBytes)
  ) {
    return fail(431);
  }
  if (Number(req.headers['content-length'] ?? 0) > maxBodyBytes) return fail(413);

  const resolution = resolve(edge.table, path, req.method ?? 'GET');
  if (resolution.kind === 'health') {
    return send(
      res,
      200,
      requestId,
      'application/json',
      '{"status":"ok"}',
      { 'Cache-Control': 'no-store' },
      req.method === 'HEAD',
    );
  }
  if (resolution.kind === 'blocked') return fail(404);
  if (resolution.kind === 'no-route') {
    // As nginx does for a prefix location: "/api/auth" → "/api/auth/".
    if (edge.table.routes.some((r) => r.prefix === `${path}/`)) return redirect(res, requestId, `${path}/${query}`);
    return fail(404);
  }
  const { route, zone, upstreamPath } = resolution;
  if (zone && !edge.limiters.get(zone)!.take(req.socket.remoteAddress ?? '')) {
    return fail(429, { 'Retry-After': String(rateLimitRetryAfterSeconds) });
  }
  const upstream = edge.upstreams[route.service] ?? '-';
  logged.upstream = upstream;
  req.gatehouseRoute = route;

  // Buffered whole, as nginx does, so an oversized chunked body is a 413 before the service sees any of it.
  readBody(req, maxBodyBytes).then(
    (body) => {
      if (body === 'too-large') return fail(413);
      if (route.stripPrefix) req.url = `${encodePath(upstreamPath)}${query}`;
      forwardHeaders(req, requestId, body.length);
      edge.proxy.web(req, res, { target: `http://${upstream}`, buffer: Readable.from([body]) });
    },
    () => fail(400),
  );
}

/** The service's answer with hop-by-hop headers dropped, the edge's headers added, and assets' cache policy. */
function passResponse(proxyRes: IncomingMessage, req: RoutedRequest, res: ServerResponse): void {
  const requestId = String(req.headers['x-request-id']);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(proxyRes.headers)) {
    if (value === undefined || hopByHop.includes(name) || name === 'x-request-id') continue;
    headers[name] = value;
  }
  applyEdgeHeaders(headers, requestId);
  const status = proxyRes.statusCode ?? 502;
  if (req.gatehouseRoute?.immutableAssets) {
    headers['cache-control'] = status === 200 || status === 304 ? immutableCacheControl : 'no-store';
  }
  res.writeHead(status, headers);
  proxyRes.pipe(res);
}

/** A service that did not answer: 504 after the upstream timeout, 502 otherwise; an upgraded socket is just closed. */
function answerProxyError(req: RoutedRequest, target: ServerResponse | Socket): void {
  if (!('writeHead' in target)) {
    target.destroy();
    return;
  }
  if (target.headersSent) {
    target.destroy();
    return;
  }
  sendEdgeError(req, target, req.gatehouseTimedOut ? 504 : 502, String(req.headers['x-request-id']), {});
}

/** WebSocket upgrades, only on routes that allow them (the route table's `websocket`). */
function handleUpgrade(edge: Edge, req: IncomingMessage, socket: Socket, head: Buffer): void {
  const rawPath = (req.url ?? '/').split('?')[0]!;
  const path = normalizePath(rawPath);
  const resolution = path ? resolve(edge.table, path, req.method ?? 'GET') : undefined;
  if (resolution?.kind !== 'proxy' || !resolution.route.websocket) {
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  const requestId = pickRequestId(req.headers['x-request-id']);
  const { route, upstreamPath } = resolution;
  if (route.stripPrefix) req.url = `${encodePath(upstreamPath)}${(req.url ?? '').slice(rawPath.length)}`;
  forwardHeaders(req, requestId, undefined, true);
  edge.proxy.ws(req, socket, head, { target: `http://${edge.upstreams[route.service]}` });
}
