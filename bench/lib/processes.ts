import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface Spawned {
  child: ChildProcess;
  stop(): Promise<void>;
}

/** How the local run starts a TypeScript entry point: from source, through tsx. */
export const fromSource = ['--conditions=gatehouse-source', '--import=tsx'];

/**
 * The bench's own environment without the server addresses it was given: a
 * process gets the database and Redis its measurement names, never the ones
 * exported for the bench (a web started "with Postgres sessions" under an
 * exported REDIS_URL would use Redis, on the wrong revocation channel).
 */
function inherited(): NodeJS.ProcessEnv {
  const { DATABASE_URL: _database, REDIS_URL: _redis, ...rest } = process.env;
  return rest;
}

/**
 * Starts an entry point on this Node (TypeScript through tsx by default; `nodeArgs: []` for
 * compiled JavaScript), and waits until `readyUrl` answers 200.
 */
export async function startProcess(
  entry: string,
  env: Record<string, string>,
  readyUrl: string,
  nodeArgs: readonly string[] = fromSource,
): Promise<Spawned> {
  const child = spawn(process.execPath, [...nodeArgs, entry], {
    env: { ...inherited(), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  // Generous: a shared machine under load can take a while to compile templates and styles.
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode}`);
    try {
      if ((await fetch(readyUrl)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${entry} not ready within 120 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
