import { randomBytes } from 'node:crypto';
import test from 'ava';
import { sourceTreeAt } from '../src/index.js';
import { scanForSecrets } from '../src/mirror/secret-scan.js';
import { defaultSourceDir } from '../src/paths.js';
import { fixtureCheckout } from './helpers/source.js';

// Every credential here is assembled at run time: this file is part of what Gatehouse mirrors.
const base62 = (n: number) =>
  [...randomBytes(n)].map((b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[b % 62]).join('');

const scan = async (dir: string) => {
  const tree = sourceTreeAt(dir);
  return scanForSecrets(tree.dir, await tree.files());
};

test('a random GitHub token planted in a tracked file → found with its path and line', async (t) => {
  const dir = fixtureCheckout(t, {
    'src/settings.ts': `// deploy\nexport const token = '${'gh' + 'p_' + base62(36)}';\n`,
  });
  t.deepEqual(await scan(dir), [{ path: 'src/settings.ts', line: 2, kind: 'GitHub token' }]);
});

test('an AWS key id with few distinct characters → still found (one real key id in six looks like that)', async (t) => {
  // 10 distinct characters out of 16, as random base-32 key ids often have.
  const dir = fixtureCheckout(t, {
    '.aws/credentials.txt': `aws_access_key_id = ${'AK' + 'IA' + 'J7QX2MZ7QKJ2WXMA'}\n`,
  });
  t.deepEqual(await scan(dir), [{ path: '.aws/credentials.txt', line: 1, kind: 'AWS access key id' }]);
});

test("Gatehouse's own tracked files → no finding, so Gatehouse can mirror itself", async (t) => {
  t.deepEqual(await scan(defaultSourceDir), []);
});
