import test from 'ava';
import { errorFormat, errorJson, edgeError } from '../src/index.js';

test("problem+json under /api/ only; the body is valid JSON in the kit's shape", (t) => {
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
