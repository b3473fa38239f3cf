// What every response through the front door carries, whoever produced it.
import type { ExecutionContext } from 'ava';
import { requestIdPattern } from '@gatehouse/stack';

/**
 * X-Request-ID, nosniff, framing refused, a Referrer-Policy, exactly one CSP,
 * no HSTS on plain HTTP and no server version.
 */
export function assertEdgeHeaders(t: ExecutionContext, headers: Headers, what: string): void {
  const requestId = headers.get('x-request-id') ?? '';
  t.regex(requestId, requestIdPattern, `${what}: X-Request-ID`);
  t.is(headers.get('x-content-type-options'), 'nosniff', `${what}: X-Content-Type-Options`);
  const csp = headers.get('content-security-policy') ?? '';
  t.is(csp.match(/default-src/g)?.length ?? 0, 1, `${what}: exactly one Content-Security-Policy (got "${csp}")`);
  const framing = headers.get('x-frame-options') === 'DENY' || /frame-ancestors 'none'/.test(csp);
  t.true(framing, `${what}: framing refused`);
  t.truthy(headers.get('referrer-policy'), `${what}: Referrer-Policy`);
  t.is(headers.get('strict-transport-security'), null, `${what}: no HSTS over plain HTTP`);
  t.notRegex(headers.get('server') ?? '', /\d/, `${what}: Server header without a version`);
}
