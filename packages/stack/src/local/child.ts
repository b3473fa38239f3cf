import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ChildOptions {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  /** Receives each output line of the child (stdout and stderr). */
  onLine: (name: string, line: string, stream: 'stdout' | 'stderr') => void;
  /** The signal that asks this program to stop gracefully (SIGQUIT for nginx). */
  stopSignal?: NodeJS.Signals;
}

export interface ExitInfo {
  name: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when we asked it to stop. */
  expected: boolean;
}

/**
 * One process of the local run. Spawned in a process group of its own, so a
 * Ctrl-C reaches only the orchestrator, which then stops everything in order.
 */
export class ManagedChild {
  readonly name: string;
  readonly exited: Promise<ExitInfo>;
  readonly #child: ChildProcess;
  readonly #stopSignal: NodeJS.Signals;
  #stopping = false;
  #done = false;

  constructor(options: ChildOptions) {
    this.name = options.name;
    this.#stopSignal = options.stopSignal ?? 'SIGTERM';
    this.#child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      const source = this.#child[stream];
      if (source) createInterface({ input: source }).on('line', (line) => options.onLine(this.name, line, stream));
    }
    this.exited = new Promise((resolve) => {
      this.#child.once('error', (err) => {
        options.onLine(this.name, `could not start ${options.command}: ${err.message}`, 'stderr');
        this.#done = true;
        resolve({ name: this.name, code: 127, signal: null, expected: this.#stopping });
      });
      this.#child.once('exit', (code, signal) => {
        this.#done = true;
        resolve({ name: this.name, code, signal, expected: this.#stopping });
      });
    });
  }

  get running(): boolean {
    return !this.#done;
  }

  /** Asks the process to stop, waits up to `timeoutMs`, then kills it. */
  async stop(timeoutMs = 15_000): Promise<ExitInfo> {
    this.#stopping = true;
    if (this.#done) return this.exited;
    this.#signal(this.#stopSignal);
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      this.exited,
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (outcome !== 'timeout') return outcome;
    this.#signal('SIGKILL');
    return this.exited;
  }

  /** Last resort when the orchestrator itself is going down: synchronous, no waiting. */
  kill(): void {
    if (!this.#done) this.#signal('SIGKILL');
  }

  #signal(signal: NodeJS.Signals): void {
    try {
      // The whole group: tsx and similar wrappers pass signals on, but workers of their own must go too.
      if (this.#child.pid) process.kill(-this.#child.pid, signal);
    } catch {
      try {
        this.#child.kill(signal);
      } catch {
        // already gone
      }
    }
  }
}
