import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { rmSync } from 'node:fs';

export const gitIn = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    env: {
      ...process.env,
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    },
  }).toString();

/**
 * A small checkout with what a real one has: plain, executable and symlinked
 * files, nesting, and things that must never be mirrored (ignored build
 * output, an untracked .env).
 */
export function fixtureCheckout(t: ExecutionContext, extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'mirror-source-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  gitIn(dir, 'init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'package.json'), '{"name":"fixture","version":"9.9.9"}\n');
  writeFileSync(join(dir, 'README.md'), '# fixture\r\nwith a CRLF line\n');
  mkdirSync(join(dir, 'src/deep'), { recursive: true });
  writeFileSync(join(dir, 'src/deep/a.ts'), 'export const a = 1;\n');
  writeFileSync(join(dir, 'run.sh'), '#!/bin/sh\necho hi\n');
  chmodSync(join(dir, 'run.sh'), 0o755);
  symlinkSync('src/deep/a.ts', join(dir, 'link.ts'));
  writeFileSync(join(dir, '.gitignore'), 'node_modules/\ndist/\n.env\n');
  for (const [path, text] of Object.entries(extra)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  gitIn(dir, 'add', '-A');
  gitIn(dir, 'commit', '-q', '-m', 'fixture');
  mkdirSync(join(dir, 'node_modules/x'), { recursive: true });
  writeFileSync(join(dir, 'node_modules/x/index.js'), 'module.exports = 1;\n');
  writeFileSync(join(dir, '.env'), 'SECRET=do-not-push\n');
  return dir;
}

/** `mode blob path` lines of what git tracks in a checkout. */
export const trackedEntries = (dir: string) =>
  gitIn(dir, 'ls-files', '-s')
    .trim()
    .split('\n')
    .map((line) => {
      const [meta, path] = line.split('\t');
      const [mode, blob] = meta!.split(' ');
      return `${mode} ${blob} ${path}`;
    })
    .sort();

const run = promisify(execFile);

/** git against a server in this process: asynchronous, or the server could never answer. */
export const remoteGit = async (...args: string[]) =>
  (await run('git', args, { env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0' } }))
    .stdout;

/** A bare clone of a public repository on the stand-in, over smart HTTP. */
export async function cloneBare(t: ExecutionContext, url: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'mirror-clone-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  await remoteGit('clone', '-q', '--bare', url, dir);
  return dir;
}

/** `mode blob path` lines of a commit's whole tree. */
export const treeEntries = (gitDir: string, rev = 'HEAD') =>
  gitIn(gitDir, 'ls-tree', '-r', rev)
    .trim()
    .split('\n')
    .map((line) => {
      const [meta, path] = line.split('\t');
      const [mode, , blob] = meta!.split(' ');
      return `${mode} ${blob} ${path}`;
    })
    .sort();
