// The image build's record of the source (scripts/image/source-snapshot.sh) read
// back by the mirror where there is no .git: the same files and version it
// derives from git in a checkout.
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';
import { sourceTreeAt } from '../src/index.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../../', import.meta.url));

test('an image without .git: the recorded snapshot gives the files and version of HEAD, modes kept', async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'gatehouse-source-'));
  t.teardown(() => rm(out, { recursive: true, force: true }));
  await run('sh', [join(repo, 'scripts/image/source-snapshot.sh'), out], { cwd: repo });
  t.false(existsSync(join(out, '.git')));

  const snapshot = sourceTreeAt(out);
  const checkout = sourceTreeAt(repo);
  const { stdout } = await run('git', ['ls-tree', '-r', '-z', '--name-only', 'HEAD'], { cwd: repo });
  const tracked = stdout.split('\0').filter(Boolean);
  t.deepEqual(await snapshot.files(), tracked);
  t.deepEqual(await snapshot.version(), await checkout.version());
  for (const file of tracked) t.true(existsSync(join(out, file)), file);
  const script = 'scripts/image/source-snapshot.sh';
  t.is(statSync(join(out, script)).mode & 0o111, statSync(join(repo, script)).mode & 0o111);
  t.not(statSync(join(out, script)).mode & 0o100, 0, 'an executable stays executable');
});

test('an image build (a context without .git) → the same files and modes as HEAD, the commit from GATEHOUSE_COMMIT', async (t) => {
  const context = await mkdtemp(join(tmpdir(), 'gatehouse-context-'));
  const out = await mkdtemp(join(tmpdir(), 'gatehouse-source-'));
  t.teardown(() => Promise.all([context, out].map((dir) => rm(dir, { recursive: true, force: true }))));
  // What docker's COPY . . gives the source stage: the tree, without .git.
  await run('sh', ['-c', `git archive --format=tar HEAD | tar -x -C '${context}'`], { cwd: repo });
  await run('sh', [join(repo, 'scripts/image/source-snapshot.sh'), out], {
    cwd: context,
    env: { ...process.env, GATEHOUSE_COMMIT: 'abcdef0123456789abcdef' },
  });
  const { stdout } = await run('git', ['ls-tree', '-r', '-z', '--name-only', 'HEAD'], { cwd: repo });
  const snapshot = sourceTreeAt(out);
  t.deepEqual(await snapshot.files(), stdout.split('\0').filter(Boolean));
  const version = await snapshot.version();
  t.regex(version.label, /^\d+\.\d+\.\d+ \(abcdef012345\)$/);
  t.true(version.time > 1_600_000_000);
  const script = 'scripts/image/source-snapshot.sh';
  t.not(statSync(join(out, script)).mode & 0o100, 0, 'an executable stays executable');
});
