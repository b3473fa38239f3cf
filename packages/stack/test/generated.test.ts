import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { generatedFiles, repoRoot, services } from '../src/index.js';

test('the generated files (nginx, compose, README configuration table) match the service list and schemas', async (t) => {
  const stale: string[] = [];
  for (const [path, text] of Object.entries(await generatedFiles(services))) {
    if ((await readFile(join(repoRoot, path), 'utf8').catch(() => '')) !== text) stale.push(path);
  }
  t.deepEqual(stale, [], 'run `npm run generate`');
});
