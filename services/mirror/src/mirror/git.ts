import { spawn } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GithubError } from '../github/github-error.js';

export interface GitOptions {
  cwd?: string;
  env?: Record<string, string>;
  input?: Buffer | string;
  signal?: AbortSignal;
  onStderr?: (chunk: string) => void;
}

export class GitError extends Error {
  readonly stderr: string;
  constructor(args: readonly string[], code: number | null, stderr: string) {
    super(`git ${args[0] ?? ''} exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    this.name = 'GitError';
    this.stderr = stderr;
  }
}

// Only what git needs: the service's own environment (with its secrets) never reaches the child.
const baseEnv = () => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  LANG: 'C',
  GIT_TERMINAL_PROMPT: '0',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
});

export function git(args: readonly string[], options: GitOptions = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: options.cwd,
      env: { ...baseEnv(), HOME: options.cwd ?? '/nonexistent', ...options.env },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const out: Buffer[] = [];
    let err = '';
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => {
      const text = c.toString('utf8');
      err += text;
      options.onStderr?.(text);
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new GitError(args, code, err))));
    if (child.stdin) {
      // git may exit before reading everything (a failed command): that is reported by its exit code.
      child.stdin.on('error', () => {});
      child.stdin.end(options.input);
    }
  });
}

/**
 * An askpass program that answers git's prompts from the child's environment:
 * the token travels per process, never in a URL, argv or .git/config.
 */
export async function writeAskpass(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'askpass.sh');
  await writeFile(
    path,
    '#!/bin/sh\ncase "$1" in\n  Username*) echo x-access-token ;;\n  *) echo "$GATEHOUSE_GIT_PASSWORD" ;;\nesac\n',
  );
  await chmod(path, 0o700);
  return path;
}

export const authEnv = (askpass: string, token: string) => ({ GIT_ASKPASS: askpass, GATEHOUSE_GIT_PASSWORD: token });

// Clear any credential helper so the token is never stored by git.
const remoteConfig = ['-c', 'credential.helper=', '-c', 'http.postBuffer=1073741824'];

/**
 * The options for a command that talks to `remote`. libcurl, under git, sends every
 * *.localhost name to loopback whatever DNS says (as browsers do), while the REST
 * client asks the resolver: in compose the stand-in is `github.localhost`, another
 * container. Such a name is pinned to what the resolver answers, so git and the REST
 * client reach the same host; any other name is left to curl.
 */
export async function remoteConfigFor(
  remote: string,
  resolve: (host: string) => Promise<{ address: string; family: number }[]> = (host) => lookup(host, { all: true }),
): Promise<string[]> {
  const url = new URL(remote);
  if (!url.hostname.endsWith('.localhost')) return remoteConfig;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const found = await resolve(url.hostname).catch(() => []);
  if (found.length === 0) return remoteConfig;
  const addresses = found.map((a) => (a.family === 6 ? `[${a.address}]` : a.address)).join(',');
  return [...remoteConfig, '-c', `http.curloptResolve=${url.hostname}:${port}:${addresses}`];
}

/** Maps a failed git-over-HTTPS command to the same classes as the REST client. */
export function classifyGitFailure(err: unknown): unknown {
  if (!(err instanceof GitError)) return err;
  const text = err.stderr;
  if (/without `?workflow`? scope/i.test(text)) return new GithubError('forbidden', 'workflow_scope', { cause: err });
  if (/\b401\b|Authentication failed|could not read Username|Invalid username or password/i.test(text)) {
    return new GithubError('unauthorized', 'git authentication failed', { status: 401, cause: err });
  }
  if (
    /\b5\d\d\b|Could not resolve|Failed to connect|timed out|Connection reset|early EOF|unexpected disconnect|RPC failed/i.test(
      text,
    )
  ) {
    return new GithubError('unavailable', 'git transport failed', { cause: err });
  }
  if (/stale info|\[rejected\]|fetch first|non-fast-forward/i.test(text)) {
    return new GithubError('unexpected', 'remote_moved', { cause: err });
  }
  return err;
}
