import { randomUUID } from 'node:crypto';
import type { MirrorDeps } from '../deps.js';
import { claimJob, findJob, updateJob, type JobRow } from '../store/mirror-jobs.js';
import { onStageFailure } from './failure-policy.js';
import { runStages, type StageDeps } from './run-stages.js';

export type WorkerDeps = StageDeps & Pick<MirrorDeps, 'logger'>;

export interface WorkerOptions {
  id?: string;
  leaseMs?: number;
  pollMs?: number;
  onChange?: (job: JobRow) => void;
}

/**
 * Runs mirror jobs from Postgres. A job is claimed with a lease (renewed while
 * it runs); a worker that dies leaves the lease to expire and any replica
 * resumes the job from its last finished stage.
 */
export class MirrorWorker {
  readonly id: string;
  readonly #deps: WorkerDeps;
  readonly #leaseMs: number;
  readonly #pollMs: number;
  readonly #onChange: (job: JobRow) => void;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #abort = new AbortController();
  #stopped = false;
  #again = false;

  constructor(deps: WorkerDeps, options: WorkerOptions = {}) {
    this.#deps = deps;
    this.id = options.id ?? randomUUID();
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#pollMs = options.pollMs ?? 2000;
    this.#onChange = options.onChange ?? (() => {});
  }

  start(): void {
    this.#timer = setInterval(() => this.notify(), this.#pollMs);
    this.#timer.unref();
    this.notify();
  }

  /** Runs due jobs now (one pass, no overlap). */
  notify(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.drain()
      .then(() => undefined)
      .catch((err: unknown) => this.#deps.logger.error({ err }, 'mirror worker pass failed'))
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          this.notify();
        }
      });
  }

  /** Claims and runs jobs until none is due; returns how many ran. */
  async drain(): Promise<number> {
    let count = 0;
    while (!this.#stopped) {
      const job = await claimJob(this.#deps.db, this.id, this.#deps.clock.now(), this.#leaseMs);
      if (!job) break;
      this.#onChange(job);
      await this.#run(job);
      count += 1;
    }
    return count;
  }

  async #run(claimed: JobRow): Promise<void> {
    const { db, clock, logger } = this.#deps;
    const update = async (patch: Parameters<typeof updateJob>[3]) => {
      const row = await updateJob(db, claimed.id, this.id, patch, clock.now());
      if (!row) throw new Error('lease lost');
      this.#onChange(row);
      return row;
    };
    const heartbeat = setInterval(() => {
      void updateJob(
        db,
        claimed.id,
        this.id,
        { lease_until: new Date(clock.now().getTime() + this.#leaseMs) },
        clock.now(),
      ).catch(() => {});
    }, this.#leaseMs / 3);
    heartbeat.unref();
    try {
      await runStages(this.#deps, { job: claimed, signal: this.#abort.signal, update });
    } catch (err) {
      // A killed worker leaves the row as it is: the lease runs out and another worker resumes.
      if (this.#abort.signal.aborted) return;
      const patch = onStageFailure((await findJob(db, claimed.id)) ?? claimed, err, clock.now());
      if (patch.status === 'failed')
        logger.warn({ job: claimed.id, code: patch.error_code, err: (err as Error).message }, 'mirror job failed');
      await update(patch).catch(() => {});
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** Stops taking jobs and waits for the one in hand. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#running;
  }

  /** Simulates a crash: the job in hand is abandoned mid-stage (tests, and SIGKILL-like shutdown). */
  async kill(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#abort.abort();
    await this.#running;
  }
}
