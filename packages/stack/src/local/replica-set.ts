import { join } from 'node:path';
import type { StackConfig } from '../config.js';
import { replicaFailTimeoutSeconds } from '../nginx/generate-nginx.js';
import { repoRoot } from '../paths.js';
import type { ServiceEntry, StackAddresses } from '../service-entry.js';
import type { ManagedChild } from './child.js';
import { replicated, serviceDatabaseUrl, type Replica } from './replicas.js';
import { serviceEnv } from './service-env.js';
import type { StackReporter } from './stack-reporter.js';
import type { LocalSelection } from './stand-ins.js';
import { startCommand } from './start-command.js';
import type { Supervisor } from './supervisor.js';

export interface ReplicaSetContext {
  config: StackConfig;
  selection: LocalSelection;
  secretFiles: Record<string, string>;
  addresses: StackAddresses;
  supervisor: Supervisor;
  report: StackReporter;
  /** Waits until a process answers its readiness URL. */
  ready(replica: Replica, child: ManagedChild): Promise<void>;
}

/**
 * The service processes of a local run: one per service, or GATEHOUSE_REPLICAS
 * per replicated service. A replica that dies on its own is started again
 * after a second (compose's restart policy does the same); with one process
 * per service a death stops the run, as it always has.
 */
export class ReplicaSet {
  readonly replicas: Replica[];
  readonly #context: ReplicaSetContext;
  readonly #children = new Map<string, ManagedChild>();
  readonly #restarting = new Set<string>();
  readonly #commands = new Map<string, string[]>();
  #stopped = false;

  /** processPorts: each replicated service's replicas' ports, and the one port of a service not on its usual one. */
  constructor(context: ReplicaSetContext, processPorts: Record<string, number[]>) {
    this.#context = context;
    const { config, selection } = context;
    const many = new Set(config.replicas > 1 ? replicated(selection.services).map((s) => s.name) : []);
    this.replicas = selection.services.flatMap((entry) =>
      many.has(entry.name)
        ? processPorts[entry.name]!.map((port, i) => ({ name: `${entry.name}-${i + 1}`, service: entry.name, port }))
        : [
            {
              name: entry.name,
              service: entry.name,
              port: processPorts[entry.name]?.[0] ?? config.servicePorts[entry.name]!,
            },
          ],
    );
  }

  /** host:port of each service's processes, by service (for nginx's upstreams). */
  upstreams(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const r of this.replicas) (out[r.service] ??= []).push(`127.0.0.1:${r.port}`);
    return out;
  }

  async startAll(): Promise<void> {
    for (const entry of this.#context.selection.services) this.#commands.set(entry.name, await startCommand(entry));
    if (this.#context.config.replicas === 1) {
      for (const replica of this.replicas) this.#spawn(replica);
      await Promise.all(this.replicas.map((r) => this.#context.ready(r, this.#children.get(r.name)!)));
      return;
    }
    // Replicated, the services reach each other through nginx, which rests an upstream for fail_timeout after
    // a refused connection: start each service once those it depends on are ready, not before.
    const ready = new Map<string, Promise<void>>();
    const start = (service: string): Promise<void> => {
      const entry = this.#context.selection.services.find((s) => s.name === service);
      if (!entry) return Promise.resolve();
      let promise = ready.get(service);
      if (!promise) {
        promise = Promise.all((entry.dependsOn ?? []).map(start)).then(async () => {
          const own = this.replicas.filter((r) => r.service === service);
          for (const replica of own) this.#spawn(replica);
          await Promise.all(own.map((r) => this.#context.ready(r, this.#children.get(r.name)!)));
        });
        ready.set(service, promise);
      }
      return promise;
    };
    await Promise.all(this.#context.selection.services.map((s) => start(s.name)));
  }

  /**
   * A rolling restart's step: SIGTERM (the replica stops accepting, so nginx
   * sends new requests to the others, and finishes those in flight), wait for
   * it to exit, start it again on its port, wait until it is ready — and then
   * until nginx takes it back: a refused connection rested it for fail_timeout,
   * and restarting the next replica sooner would leave nginx none to send to.
   */
  async restartReplica(name: string): Promise<void> {
    const replica = this.replicas.find((r) => r.name === name);
    if (!replica || replica.name === replica.service) throw new Error(`no replica named ${name}`);
    this.#restarting.add(name);
    try {
      await this.#children.get(name)?.stop(15_000);
      const child = this.#spawn(replica);
      await this.#context.ready(replica, child);
      await new Promise((r) => setTimeout(r, replicaFailTimeoutSeconds * 1000 + 500));
    } finally {
      this.#restarting.delete(name);
    }
  }

  stop(): void {
    this.#stopped = true;
  }

  #spawn(replica: Replica): ManagedChild {
    const { config, selection, secretFiles, addresses, supervisor, report } = this.#context;
    const entry = selection.services.find((s) => s.name === replica.service)!;
    const single = replica.name === replica.service;
    report.info(`starting ${replica.name} on port ${replica.port}`);
    const child = supervisor.spawn(
      {
        name: replica.name,
        command: process.execPath,
        args: this.#commands.get(entry.name)!,
        cwd: join(repoRoot, entry.dir),
        env: {
          ...serviceEnv(entry, config, secretFiles, addresses, selection.exported),
          PORT: String(replica.port),
          ...replicaEnv(entry, replica, config),
        },
        onLine: report.line,
      },
      single,
    );
    this.#children.set(replica.name, child);
    if (!single) {
      void child.exited.then((info) => {
        if (info.expected || this.#stopped || this.#restarting.has(replica.name)) return;
        report.info(
          `${replica.name} stopped unexpectedly (${info.signal ?? `exit code ${info.code}`}); starting it again`,
        );
        setTimeout(() => {
          if (!this.#stopped) this.#spawn(replica);
        }, 1000);
      });
    }
    return child;
  }
}

function replicaEnv(entry: ServiceEntry, replica: Replica, config: StackConfig): Record<string, string> {
  if (replica.name === replica.service) return {};
  return {
    ...entry.replicaEnv,
    DATA_DIR: join(config.dataDir, replica.name),
    ...(entry.database ? { DATABASE_URL: serviceDatabaseUrl(config.databaseUrl!, entry.name) } : {}),
    ...(entry.redis && config.redisUrl ? { REDIS_URL: config.redisUrl } : {}),
  };
}
