import { spawn } from 'node:child_process';

export interface GitResult {
  stdout: Buffer;
  stderr: string;
  code: number;
}

/** Runs git to completion; for small outputs only (packs go through http-backend, streamed). */
export function runGit(
  gitBin: string,
  args: string[],
  options: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {},
): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(gitBin, args, { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    // git may exit without reading its input (a refusal, a missing object): its exit code says what happened, and
    // the EPIPE of the write it never read must not crash the process.
    child.stdin.on('error', () => {});
    child.on('close', (code) =>
      resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), code: code ?? 1 }),
    );
    child.stdin.end(options.input ?? '');
  });
}

/** Like runGit, but a non-zero exit is an error carrying git's own words. */
export async function git(
  gitBin: string,
  args: string[],
  options: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  const result = await runGit(gitBin, args, options);
  if (result.code !== 0) throw new Error(`git ${args[0] ?? ''} failed (${result.code}): ${result.stderr.trim()}`);
  return result.stdout.toString('utf8');
}
