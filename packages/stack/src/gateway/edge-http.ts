import { randomBytes } from 'node:crypto';
import { STATUS_CODES, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { edgeError, errorFormat, errorHtml, errorJson, requestIdPattern, securityHeaders } from '../edge-policy.js';
import type { EdgeRoute } from '../route-table.js';

/** The pieces of the gateway that mirror nginx's includes, one function each. */

export type RoutedRequest = IncomingMessage & {
  gatehouseRoute?: EdgeRoute;
  gatehouseTimedOut?: boolean;
  gatehousePath?: string;
};

// Never forwarded: they describe one connection, not the request.
export const hopByHop = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'proxy-authorization',
];

export function pickRequestId(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && requestIdPattern.test(incoming) ? incoming : randomBytes(16).toString('hex');
}

/** What proxy-common.conf sets in nginx, replacing whatever the client sent. */
export function forwardHeaders(
  req: IncomingMessage,
  requestId: string,
  bodyLength: number | undefined,
  upgrade = false,
): void {
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
export function applyEdgeHeaders(headers: Record<string, string | string[]>, requestId: string): void {
  const present = new Set(Object.keys(headers).map((k) => k.toLowerCase()));
  headers['X-Request-ID'] = requestId;
  for (const { name, value } of securityHeaders) if (!present.has(name.toLowerCase())) headers[name] = value;
}

/** An edge error as a response: problem+json under /api/, a small page elsewhere. */
function edgeErrorResponse(path: string, status: number, requestId: string): { type: string; body: string } {
  const error = edgeError(status);
  return errorFormat(path) === 'json'
    ? { type: 'application/problem+json; charset=utf-8', body: errorJson(error, requestId) }
    : { type: 'text/html; charset=utf-8', body: errorHtml(error, requestId) };
}

export function sendEdgeError(
  req: RoutedRequest,
  res: ServerResponse,
  status: number,
  requestId: string,
  extra: Record<string, string>,
): void {
  // The path as the client sent it: a stripped prefix must not turn /api/ errors into pages.
  const { type, body } = edgeErrorResponse(req.gatehousePath ?? (req.url ?? '/').split('?')[0]!, status, requestId);
  // The body of a refused request may still be arriving; do not keep the connection.
  const close: Record<string, string> =
    status === 400 || status === 413 || status === 431 ? { Connection: 'close' } : {};
  send(res, status, requestId, type, body, { 'Cache-Control': 'no-store', ...close, ...extra }, req.method === 'HEAD');
}

/** Node refuses oversized or slow headers before a request exists; answer on the socket like nginx would. */
export function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const firstLine = /^[A-Z]+ (\S+)/.exec(String((err as { rawPacket?: Buffer }).rawPacket ?? ''));
  const requestId = randomBytes(16).toString('hex');
  const { type, body } = edgeErrorResponse(firstLine?.[1] ?? '/', status, requestId);
  const headers: Record<string, string> = {
    'Content-Type': type,
    'Content-Length': String(Buffer.byteLength(body)),
    Connection: 'close',
    'Cache-Control': 'no-store',
  };
  applyEdgeHeaders(headers, requestId);
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n');
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head}\r\n\r\n${body}`);
}

export function send(
  res: ServerResponse,
  status: number,
  requestId: string,
  type: string,
  body: string,
  extra: Record<string, string>,
  headOnly: boolean,
): void {
  const headers: Record<string, string> = {
    'Content-Type': type,
    'Content-Length': String(Buffer.byteLength(body)),
    ...extra,
  };
  applyEdgeHeaders(headers, requestId);
  res.writeHead(status, headers);
  res.end(headOnly ? undefined : body);
}

export function redirect(res: ServerResponse, requestId: string, location: string): void {
  const headers: Record<string, string> = { Location: location, 'Content-Length': '0' };
  applyEdgeHeaders(headers, requestId);
  res.writeHead(301, headers);
  res.end();
}

/** The normalized path, escaped again for the request line (nginx does the same when it strips a prefix). */
export function encodePath(path: string): string {
  return path
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/%40/g, '@').replace(/%3A/g, ':'))
    .join('/');
}

/** The access line, in nginx's format, once the response is sent; the caller fills in the upstream when there is one. */
export function logAccess(
  log: (line: string) => void,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  path: string,
): { upstream: string } {
  const started = performance.now();
  const logged = { upstream: '-' };
  const bytes = countBodyBytes(res);
  res.on('finish', () => {
    const seconds = ((performance.now() - started) / 1000).toFixed(3);
    log(
      `${req.socket.remoteAddress} ${req.method} ${path} ${res.statusCode} ${bytes()} ${seconds}s rid=${requestId} upstream=${logged.upstream}`,
    );
  });
  return logged;
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
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
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
