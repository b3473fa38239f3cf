import test from 'ava';
import { safeNext } from '../src/safe-next.js';

const kept: [string, string][] = [
  ['/account', '/account'],
  ['/account?tab=password#change', '/account?tab=password#change'],
  ['/a/b/../c', '/a/c'],
  ['/%E2%9C%93', '/%E2%9C%93'],
];
for (const [input, expected] of kept) {
  test(`next=${input} (same-site path) → kept as ${expected}`, (t) => {
    t.is(safeNext(input), expected);
  });
}

const refused = [
  '//evil.example',
  '//evil.example/account',
  'https://evil.example',
  'http://evil.example/account',
  'javascript:alert(1)',
  'evil.example',
  '/\\evil.example',
  '\\\\evil.example',
  '/%2F/evil.example',
  '/%2f%2fevil.example',
  '%2F%2Fevil.example',
  '/%5Cevil.example',
  '/%5cevil.example',
  '/\t/evil.example',
  '/%09/evil.example',
  '/\n/evil.example',
  '/%0D%0ASet-Cookie:x=y',
  ' /account',
  '/account\u0000',
  '/%',
  '',
  'x'.repeat(3000),
];
for (const input of refused) {
  test(`next=${JSON.stringify(input).slice(0, 40)} (could leave the site) → default /account`, (t) => {
    t.is(safeNext(input), '/account');
  });
}

test('next that is not a string (repeated parameter, missing) → default', (t) => {
  t.is(safeNext(['/a', '/b']), '/account');
  t.is(safeNext(undefined), '/account');
  t.is(safeNext('//evil', ''), '');
});
