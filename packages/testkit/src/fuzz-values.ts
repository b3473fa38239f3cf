import fc from 'fast-check';

// The raw material of fuzzEndpoints' requests: values, bodies, content types and path segments that
// have broken parsers, databases and logs before, mixed with plausible ones so checks behind the first pass.

const badCharacter = fc.constantFrom(
  '\u0000',
  '\u0001',
  '\u0008',
  '\t',
  '\n',
  '\r',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u009f',
  '\ud800',
  '\udbff',
  '\udc00',
  '\ufffe',
  '\uffff',
  '\u2028',
  '\u202e',
  '\u200b',
  '\ufeff',
);
const plausible = fc.constantFrom(
  '',
  ' ',
  'ann',
  'ann@example.com',
  'a long passphrase for tests',
  'password',
  'refresh_token',
  'local',
  'global',
  'signin',
  'connect',
  'authorize',
  'deny',
  '00000000-0000-0000-0000-000000000000',
  "' OR '1'='1",
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '//evil.example',
  '%00',
  '__proto__',
  'null',
  '1e309',
  '-1',
);
const tainted = fc
  .tuple(plausible, badCharacter, fc.nat())
  .map(([text, bad, at]) => text.slice(0, at % (text.length + 1)) + bad + text.slice(at % (text.length + 1)));
const long = fc
  .tuple(fc.constantFrom('a', 'é', '𝄞', 'a@b.c'), fc.integer({ min: 255, max: 6000 }))
  .map(([unit, n]) => unit.repeat(n));
const anyCodeUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)) });
export const text = fc.oneof(
  { arbitrary: plausible, weight: 3 },
  { arbitrary: tainted, weight: 3 },
  { arbitrary: long, weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 32 }), weight: 1 },
  { arbitrary: anyCodeUnits, weight: 1 },
);
export const value: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: text, weight: 6 },
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(text, { maxLength: 3 }),
  fc.dictionary(text, text, { maxKeys: 2 }),
);

// What replaces one field of a valid body: mostly text with something wrong in it.
export const badValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: tainted, weight: 5 },
  { arbitrary: long, weight: 1 },
  { arbitrary: anyCodeUnits, weight: 1 },
  { arbitrary: value, weight: 2 },
);

export const brokenJson = fc.constantFrom(
  '{',
  '{"a":',
  '{"a":1,"a":2}',
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{}}}',
  '[',
  '[]',
  '[1,2]',
  'null',
  'true',
  '0',
  '"text"',
  '{"a":"\\ud800"}',
  '{"a":"\\u0000"}',
  '\u0000',
  '\ufeff{}',
  '{}{}',
  'a=b',
  '{"a":1e999}',
  '{"a":' + '['.repeat(5000) + ']'.repeat(5000) + '}',
);
export const brokenForm = fc.constantFrom('a=%00', 'a=%ZZ', '%', 'a&a&a', '=&=', 'a=1&a=2', '%ED%A0%80=1', 'a=%C0%80');

export const contentTypes = fc.constantFrom(
  'application/json',
  'application/x-www-form-urlencoded',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/x-www-form-urlencoded; charset=latin1',
  'application/vnd.api+json',
  'application/xml',
  undefined,
);

/** encodeURIComponent, except that a lone surrogate becomes the bytes a careless encoder would send. */
const encodeSegment = (text: string) =>
  text.isWellFormed() ? encodeURIComponent(text) : `${encodeURIComponent(text.toWellFormed())}%ED%A0%80`;
export const segment = fc.oneof(
  plausible.map(encodeSegment),
  tainted.map(encodeSegment),
  fc.constantFrom('%00', '%ED%A0%80', '%', '%zz', '..', '%2e%2e%2f', 'a'.repeat(300), '1', '-1', '%C0%AE'),
);
