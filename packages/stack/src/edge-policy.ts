import { createHash } from 'node:crypto';
import type { RateZone } from './service-entry.js';

/**
 * What the edge (nginx, or the Node gateway when nginx is absent) enforces,
 * in one place. The nginx template is generated from these values and the
 * gateway reads them directly, so the two cannot drift apart.
 */

/** Per-client-IP budgets for the POSTs people (and scripts) abuse. nginx limit_req semantics, nodelay. */
export const rateZones: Record<RateZone, { perMinute: number; burst: number }> = {
  // The auth service throttles per account and IP on top; this only stops floods.
  login: { perMinute: 30, burst: 20 },
  signup: { perMinute: 10, burst: 10 },
  resend: { perMinute: 6, burst: 5 },
  forgot: { perMinute: 6, burst: 5 },
};

/** Seconds a client refused by a rate zone is told to wait. */
export const rateLimitRetryAfterSeconds = 60;

/** Bodies above this are refused with 413 before they reach a service. */
export const maxBodyBytes = 64 * 1024;

/** One header line above this is refused with 431 (nginx: large_client_header_buffers 4 8k). */
export const maxHeaderLineBytes = 8 * 1024;

/** All headers together (nginx: 4 buffers of 8k). */
export const maxHeaderBytes = 32 * 1024;

/** A client-sent X-Request-ID is kept only if it looks like one (same rule as the service kit). */
export const requestIdPattern = /^[A-Za-z0-9._:-]{8,128}$/;

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
 * The edge's own error answers. Codes follow the service kit's list where
 * one fits; the four edge-only ones are listed in edgeOnlyCodes.
 */
export interface EdgeError {
  status: number;
  code: string;
  title: string;
  detail: string;
  /** Headline of the HTML page. */
  headline: string;
}

export const edgeErrors: EdgeError[] = [
  { status: 400, code: 'bad_request', title: 'Bad Request', detail: 'The request could not be understood.', headline: 'Bad request' },
  { status: 404, code: 'not_found', title: 'Not Found', detail: 'Nothing lives at this address.', headline: 'Page not found' },
  { status: 405, code: 'method_not_allowed', title: 'Method Not Allowed', detail: 'This method is not allowed here.', headline: 'Method not allowed' },
  { status: 408, code: 'request_timeout', title: 'Request Timeout', detail: 'The request took too long to arrive.', headline: 'Request timed out' },
  { status: 413, code: 'payload_too_large', title: 'Payload Too Large', detail: 'The request body is too large.', headline: 'Request too large' },
  { status: 414, code: 'uri_too_long', title: 'URI Too Long', detail: 'The address is too long.', headline: 'Address too long' },
  { status: 429, code: 'too_many_requests', title: 'Too Many Requests', detail: 'Too many attempts. Try again later.', headline: 'Too many attempts' },
  {
    status: 431,
    code: 'request_header_too_large',
    title: 'Request Header Fields Too Large',
    detail: 'A request header or cookie is too large.',
    headline: 'Request header too large',
  },
  { status: 500, code: 'unexpected_failure', title: 'Internal Server Error', detail: 'Something went wrong on our side.', headline: 'Something went wrong' },
  { status: 502, code: 'service_unavailable', title: 'Bad Gateway', detail: 'A dependency is unavailable. Try again shortly.', headline: 'Temporarily unavailable' },
  { status: 503, code: 'service_unavailable', title: 'Service Unavailable', detail: 'A dependency is unavailable. Try again shortly.', headline: 'Temporarily unavailable' },
  { status: 504, code: 'service_unavailable', title: 'Gateway Timeout', detail: 'A dependency is unavailable. Try again shortly.', headline: 'Temporarily unavailable' },
];

/** Codes the edge answers with that the service kit's list does not have (yet). */
export const edgeOnlyCodes: string[] = [];

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
