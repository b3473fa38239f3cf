import { Worker } from 'node:worker_threads';
import type { HashTask } from './hash-worker.js';

interface Job {
  id: number;
  task: HashTask;
  resolve: (value: string | boolean) => void;
  reject: (error: Error) => void;
}

// The worker is a .ts file under tsx and a .js file once compiled.
const workerUrl = new URL(`./hash-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/** A fixed set of worker threads taking bcrypt jobs from one queue. */
export class HashPool {
  readonly size: number;
  #idle: Worker[] = [];
  #busy = new Map<Worker, Job>();
  #queue: Job[] = [];
  #nextId = 0;
  #closed = false;

  constructor(size: number) {
    this.size = size;
    for (let i = 0; i < size; i++) this.#idle.push(this.#spawn());
  }

  run(task: HashTask): Promise<string | boolean> {
    if (this.#closed) return Promise.reject(new Error('hash pool is closed'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, task, resolve, reject });
      this.#dispatch();
    });
  }

  /** Jobs waiting for a thread; a long queue means logins are arriving faster than they can be hashed. */
  get pending(): number {
    return this.#queue.length;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.reject(new Error('hash pool is closed'));
    await Promise.all([...this.#idle, ...this.#busy.keys()].map((w) => w.terminate()));
  }

  #spawn(): Worker {
    const worker = new Worker(workerUrl);
    worker.unref();
    worker.on('message', (message: { id: number; result?: string | boolean; error?: string }) => {
      const job = this.#busy.get(worker);
      this.#busy.delete(worker);
      this.#idle.push(worker);
      if (job) {
        if (message.error !== undefined) job.reject(new Error(message.error));
        else job.resolve(message.result as string | boolean);
      }
      this.#dispatch();
    });
    worker.on('error', (error) => this.#replace(worker, error));
    return worker;
  }

  #replace(worker: Worker, error: Error): void {
    const job = this.#busy.get(worker);
    this.#busy.delete(worker);
    this.#idle = this.#idle.filter((w) => w !== worker);
    job?.reject(error);
    if (!this.#closed) {
      this.#idle.push(this.#spawn());
      this.#dispatch();
    }
  }

  #dispatch(): void {
    while (this.#idle.length > 0 && this.#queue.length > 0) {
      const worker = this.#idle.pop()!;
      const job = this.#queue.shift()!;
      this.#busy.set(worker, job);
      worker.postMessage({ id: job.id, task: job.task });
    }
  }
}
