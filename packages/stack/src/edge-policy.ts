import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { errorCodes, requestIdPattern, type ErrorCode } from '@gatehouse/service-kit';

/**
 * What the edge (nginx, or the Node gateway when nginx is absent) enforces,
 * in one place. The nginx template is generated from these values and the
 * gateway reads them directly, so the two cannot drift apart.
 */

/** Per-client-IP budgets for the POSTs people (and scripts) abuse. nginx limit_req semantics, nodelay. */
export const rateZones = {
  // The auth service throttles per account and IP on top; this only stops floods.
  login: { perMinute: 30, burst: 20 },
  signup: { perMinute: 10, burst: 10 },
  resend: { perMinute: 6, burst: 5 },
  forgot: { perMinute: 6, burst: 5 },
} as const satisfies Record<string, { perMinute: number; burst: number }>;

/** A per-client-IP budget at the edge, by name; a service entry's rate-limited paths name one. */
export type RateZone = keyof typeof rateZones;

/** Seconds a client refused by a rate zone is told to wait. */
export const rateLimitRetryAfterSeconds = 60;

/** Bodies above this are refused with 413 before they reach a service. */
export const maxBodyBytes = 64 * 1024;

/** One header line above this is refused with 431 (nginx: large_client_header_buffers 4 8k). */
export const maxHeaderLineBytes = 8 * 1024;

/** All headers together (nginx: 4 buffers of 8k). */
export const maxHeaderBytes = 32 * 1024;

/** A client-sent X-Request-ID is kept only if it looks like one: the service kit's rule. */
export { requestIdPattern };

/** The inline stylesheet of the edge's own error pages; the CSP allows exactly this by hash. */
export const errorPageStyle =
  'body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#1d2330;background:#f4f5f8}' +
  'main{max-width:32rem;margin:12vh auto;padding:2rem;background:#fff;border-radius:12px;box-shadow:0 1px 3px #0002}' +
  'h1{margin:0 0 .5rem;font-size:1.5rem}.id{color:#69707d;font-size:.8rem}a{color:#2b59c3}';

const styleHash = createHash('sha256').update(errorPageStyle).digest('base64');

/**
 * Security headers on every response, errors included. A service that sends
 * its own value wins (web's pages carry their own CSP); the edge fills in
 * the rest, so a header is never sent twice.
 */
export const securityHeaders: { name: string; value: string }[] = [
  { name: 'X-Content-Type-Options', value: 'nosniff' },
  { name: 'X-Frame-Options', value: 'DENY' },
  { name: 'Referrer-Policy', value: 'no-referrer' },
  {
    name: 'Content-Security-Policy',
    value: `default-src 'none'; style-src 'sha256-${styleHash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  },
];

/** Only on the TLS server block: a plain-HTTP answer must never pin HTTPS. */
export const hstsHeader = { name: 'Strict-Transport-Security', value: 'max-age=31536000; includeSubDomains' };

export const immutableCacheControl = 'public, max-age=31536000, immutable';

/**
 * The edge's own error answers: code and text from the service kit's list,
 * title from the status, so they read exactly like a service's problem+json.
 */
export interface EdgeError {
  status: number;
  code: ErrorCode;
  title: string;
  detail: string;
  /** Headline of the HTML page. */
  headline: string;
}

const kitError = (status: number, code: ErrorCode, headline: string): EdgeError => ({
  status,
  code,
  title: STATUS_CODES[status] ?? 'Error',
  detail: errorCodes[code].message,
  headline,
});

export const edgeErrors: EdgeError[] = [
  kitError(400, 'bad_request', 'Bad request'),
  kitError(404, 'not_found', 'Page not found'),
  kitError(405, 'method_not_allowed', 'Method not allowed'),
  kitError(408, 'request_timeout', 'Request timed out'),
  kitError(413, 'payload_too_large', 'Request too large'),
  kitError(414, 'uri_too_long', 'Address too long'),
  kitError(429, 'too_many_requests', 'Too many attempts'),
  kitError(431, 'request_header_too_large', 'Request header too large'),
  kitError(500, 'unexpected_failure', 'Something went wrong'),
  // 502 and 504 are the edge's flavours of "a dependency is unavailable".
  kitError(502, 'service_unavailable', 'Temporarily unavailable'),
  kitError(503, 'service_unavailable', 'Temporarily unavailable'),
  kitError(504, 'service_unavailable', 'Temporarily unavailable'),
];

export function edgeError(status: number): EdgeError {
  const found = edgeErrors.find((e) => e.status === status);
  if (!found) throw new Error(`no edge error page for status ${status}`);
  return found;
}

/** Which kind of error body a path gets: problem+json under /api/, a small page elsewhere. */
export function errorFormat(path: string): 'json' | 'html' {
  return path === '/api' || path.startsWith('/api/') ? 'json' : 'html';
}

/** The problem+json body, with `requestId` standing in for the id (nginx passes a variable). */
export function errorJson(error: EdgeError, requestId: string): string {
  return (
    `{"type":"urn:gatehouse:error:${error.code}","title":"${error.title}","status":${error.status},` +
    `"code":"${error.code}","detail":"${error.detail}","request_id":"${requestId}"}`
  );
}

export function errorHtml(error: EdgeError, requestId: string): string {
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${error.headline} · Gatehouse</title><style>${errorPageStyle}</style></head>` +
    `<body><main><h1>${error.headline}</h1><p>${error.detail}</p>` +
    '<p><a href="/">Back to Gatehouse</a></p>' +
    `<p class="id">Error ${error.status} · request ${requestId}</p></main></body></html>\n`
  );
}
