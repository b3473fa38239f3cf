import { randomBytes } from 'node:crypto';
import { createPgDatabase, type Database } from '@gatehouse/db';
import { adminQuery } from './admin-query.js';
import { POOL_SIZE, connectionBudget } from './connection-budget.js';
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
  if (server.url === undefined) throw new Error(`tests: ${server.why}`);
  const admin = server.url;
  // Taken together, so that a test never holds part of what it needs while waiting for the rest.
  const releases = await (await connectionBudget(admin)).reserve(count);
  const out: TestDatabase[] = [];
  try {
    for (const release of releases) out.push(await serverDatabase(admin, release));
  } catch (err) {
    for (const database of out) await database.cleanup();
    for (const release of releases) release();
    throw err;
  }
  return out;
}

/**
 * For a test whose code opens pools of its own on the server (at most
 * POOL_SIZE connections each, and a LISTEN connection for web), e.g. on a
 * schema of a shared database or a whole stack of processes: that many
 * databases' worth of the connection budget, and the function that gives it back.
 */
export async function reserveDatabaseShare(databases = 1): Promise<() => void> {
  const server = await postgresServer();
  if (server.url === undefined) return () => {};
  const releases = await (await connectionBudget(server.url)).reserve(databases);
  return () => {
    for (const release of releases) release();
  };
}

async function serverDatabase(admin: string, release: () => void): Promise<TestDatabase> {
  const name = `gatehouse_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(admin, `CREATE DATABASE ${name}`);
  const url = withDatabase(admin, name);
  // A small pool (the connection budget counts it) and a patient connect: a
  // loaded CI machine is slow, not down.
  const db = createPgDatabase({ url, max: POOL_SIZE, connectTimeoutMs: 15_000 });
  return {
    db,
    backend: 'postgres',
    url,
    async cleanup() {
      try {
        await db.close();
        await adminQuery(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        release();
      }
    },
  };
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}
