import { execFile } from 'node:child_process';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface GitRun {
  code: number;
  stdout: string;
  stderr: string;
}

let askpass: Promise<string> | undefined;

/** An askpass program answering x-access-token and $SANDBOX_TOKEN, so no token lands in a remote URL or .git/config. */
function askpassScript(): Promise<string> {
  askpass ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sandbox-askpass-'));
    const path = join(dir, 'askpass.sh');
    await writeFile(
      path,
      '#!/bin/sh\ncase "$1" in Username*) echo x-access-token ;; *) echo "$SANDBOX_TOKEN" ;; esac\n',
    );
    await chmod(path, 0o700);
    return path;
  })();
  return askpass;
}

/** Runs the git CLI in `cwd` with the token offered through GIT_ASKPASS; never throws. */
export async function gitCli(cwd: string, args: string[], token = ''): Promise<GitRun> {
  const env = {
    PATH: process.env.PATH,
    HOME: cwd,
    GIT_ASKPASS: await askpassScript(),
    GIT_TERMINAL_PROMPT: '0',
    SANDBOX_TOKEN: token,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
  };
  try {
    const { stdout, stderr } = await exec(
      'git',
      ['-c', 'credential.helper=', '-c', 'init.defaultBranch=main', ...args],
      { cwd, env, maxBuffer: 64 * 1024 * 1024 },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** A working tree with one commit holding `files`. */
export async function workTree(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sandbox-work-'));
  await gitCli(dir, ['init', '--quiet']);
  for (const [path, content] of Object.entries(files)) {
    const full = join(dir, path);
    await exec('mkdir', ['-p', join(full, '..')]);
    await writeFile(full, content);
  }
  await gitCli(dir, ['add', '-A']);
  await gitCli(dir, ['commit', '--quiet', '-m', 'first']);
  return dir;
}
