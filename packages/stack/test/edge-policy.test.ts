import test from 'ava';
import { errorCodes } from '@gatehouse/service-kit';
import { edgeErrors, edgeOnlyCodes, errorFormat, errorJson, edgeError } from '../src/index.js';

test("the edge's error codes and texts are the service kit's, except the edge-only ones", (t) => {
  for (const error of edgeErrors) {
    const kit = (errorCodes as Record<string, { status: number; message: string } | undefined>)[error.code];
    if (edgeOnlyCodes.includes(error.code)) {
      t.is(kit, undefined, `${error.code} is in the kit's list now: remove it from edgeOnlyCodes`);
      continue;
    }
    t.truthy(kit, `${error.code} is not in packages/service-kit/src/error-codes.ts`);
    t.is(error.detail, kit!.message, error.code);
    // 502 and 504 are the gateway's flavours of "a dependency is unavailable".
    if (error.code !== 'service_unavailable') t.is(error.status, kit!.status, error.code);
  }
});

test('problem+json under /api/ only; the body is valid JSON in the kit\'s shape', (t) => {
  t.is(errorFormat('/api/auth/v1/me'), 'json');
  t.is(errorFormat('/api'), 'json');
  t.is(errorFormat('/apix'), 'html');
  t.is(errorFormat('/login'), 'html');
  t.deepEqual(JSON.parse(errorJson(edgeError(429), 'abc12345')), {
    type: 'urn:gatehouse:error:too_many_requests',
    title: 'Too Many Requests',
    status: 429,
    code: 'too_many_requests',
    detail: 'Too many attempts. Try again later.',
    request_id: 'abc12345',
  });
});
