import pg from 'pg';
import type { StackConfig } from '../config.js';
import type { ServiceEntry } from '../service-entry.js';
import { StackStartError } from './stack-reporter.js';

/**
 * The local run with GATEHOUSE_REPLICAS above 1: each service behind the edge
 * runs that many processes on ports of their own, and nginx balances over
 * them — at the front door, and on each service's usual port for the other
 * services' calls (so AUTH_URL and friends stay what they are). The state they
 * share lives in Postgres (one database per service on DATABASE_URL) and, when
 * given, Redis.
 */
export interface Replica {
  /** auth-1, auth-2, …: the log prefix and the name restartReplica takes. */
  name: string;
  service: string;
  port: number;
}

/** The services that get replicas: those the edge sends requests to (a stand-in plays another host). */
export function replicated(services: readonly ServiceEntry[]): ServiceEntry[] {
  return services.filter((s) => !s.standIn && s.routes.length > 0);
}

/** Refuses a replicated run that cannot share state or balance, saying what to set. */
export function checkReplicaMode(config: StackConfig, nginxBin: string | undefined): void {
  if (config.replicas === 1) return;
  if (!config.databaseUrl) {
    throw new StackStartError(
      `GATEHOUSE_REPLICAS=${config.replicas} needs DATABASE_URL: the replicas of a service share their state ` +
        'through Postgres, and the default embedded database (PGlite) belongs to one process. Set, e.g., ' +
        'DATABASE_URL=postgres://postgres@127.0.0.1:5432/gatehouse (each service gets <name>_<service>, created when missing).',
    );
  }
  if (!nginxBin) {
    throw new StackStartError(
      `GATEHOUSE_REPLICAS=${config.replicas} needs nginx (it balances over the replicas); install nginx or set NGINX_BIN.`,
    );
  }
}

/** DATABASE_URL with the service's database: postgres://…/gatehouse → postgres://…/gatehouse_auth. */
export function serviceDatabaseUrl(databaseUrl: string, service: string): string {
  const url = new URL(databaseUrl);
  const base = decodeURIComponent(url.pathname.slice(1)) || 'gatehouse';
  url.pathname = `/${base}_${service.replace(/-/g, '_')}`;
  return url.toString();
}

/** Creates each service's database on the server when missing (connecting to the one DATABASE_URL names). */
export async function ensureServiceDatabases(databaseUrl: string, services: readonly ServiceEntry[]): Promise<void> {
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  try {
    await client.connect();
  } catch (err) {
    throw new StackStartError(`cannot reach the Postgres server of DATABASE_URL: ${(err as Error).message}`);
  }
  try {
    for (const entry of services.filter((s) => s.database)) {
      const name = new URL(serviceDatabaseUrl(databaseUrl, entry.name)).pathname.slice(1);
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (!rowCount) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    }
  } finally {
    await client.end();
  }
}
