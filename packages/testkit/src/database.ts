import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPgDatabase, type Database } from '@gatehouse/db';
import { pgliteDatabases } from './pglite-schemas.js';
import { postgresServer } from './servers.js';

export type Backend = 'postgres' | 'pglite';

export interface TestDatabase {
  db: Database;
  backend: Backend;
  /** The URL of the fresh database (postgres only), for code that connects by itself. */
  url: string | undefined;
  cleanup(): Promise<void>;
}

/** The backends this machine can run tests against: real Postgres when it has one, PGlite always. */
export async function availableBackends(): Promise<Backend[]> {
  const server = await postgresServer();
  return server.url ? ['postgres', 'pglite'] : ['pglite'];
}

/**
 * A database of one's own: on a Postgres server a freshly created database
 * dropped at cleanup, else a fresh schema in the test process's PGlite.
 */
export async function freshDatabase(backend?: Backend): Promise<TestDatabase> {
  const [database] = await freshDatabases(1, backend);
  return database!;
}

/** Several at once, e.g. one per service of a test stack. */
export async function freshDatabases(count: number, backend?: Backend): Promise<TestDatabase[]> {
  const server = await postgresServer();
  const chosen = backend ?? (server.url ? 'postgres' : 'pglite');
  if (chosen === 'pglite') {
    const dbs = await pgliteDatabases(count);
    return dbs.map((db) => ({ db, backend: 'pglite', url: undefined, cleanup: () => db.close() }));
  }
  const out: TestDatabase[] = [];
  for (let i = 0; i < count; i += 1) out.push(await serverDatabase(server));
  return out;
}

async function serverDatabase(server: Awaited<ReturnType<typeof postgresServer>>): Promise<TestDatabase> {
  if (server.url === undefined) throw new Error(`no Postgres server for tests: ${server.why}`);
  const admin = server.url;
  const name = `gatehouse_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(admin, `CREATE DATABASE ${name}`);
  const url = withDatabase(admin, name);
  // Small pools (many test files share one server's 100 connections) and a
  // patient connect: a loaded CI machine is slow, not down.
  const db = createPgDatabase({ url, max: 4, connectTimeoutMs: 15_000 });
  return {
    db,
    backend: 'postgres',
    url,
    async cleanup() {
      await db.close();
      await adminQuery(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
