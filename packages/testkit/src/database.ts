import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPgDatabase, createPgliteDatabase, type Database } from '@gatehouse/db';
import { dockerReachable } from './docker.js';

export type Backend = 'postgres' | 'pglite';

export interface TestDatabase {
  db: Database;
  backend: Backend;
  /** The URL of the fresh database (postgres only), for code that connects by itself. */
  url: string | undefined;
  cleanup(): Promise<void>;
}

let serverUrl: Promise<{ url: string; via: string } | { url: undefined; why: string }> | undefined;

/**
 * Where a Postgres server for tests comes from, first match wins:
 * DATABASE_URL, then a testcontainers container when a Docker engine answers.
 * A DATABASE_URL that does not answer is an error, not a reason to fall back.
 */
export function postgresServer() {
  serverUrl ??= (async () => {
    const fromEnv = process.env.DATABASE_URL;
    if (fromEnv) {
      await probe(fromEnv);
      return { url: fromEnv, via: 'DATABASE_URL' };
    }
    if (await dockerReachable()) {
      try {
        const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
        const container = await new PostgreSqlContainer(process.env.TEST_POSTGRES_IMAGE ?? 'postgres:17').start();
        return { url: container.getConnectionUri(), via: 'testcontainers' };
      } catch (err) {
        return { url: undefined, why: `testcontainers could not start Postgres (${(err as Error).message})` };
      }
    }
    return { url: undefined, why: 'DATABASE_URL is not set and no Docker engine is reachable' };
  })();
  return serverUrl;
}

async function probe(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw new Error(`DATABASE_URL is set but Postgres does not answer: ${(err as Error).message}`, { cause: err });
  } finally {
    await client.end().catch(() => {});
  }
}

/** The backends this machine can run tests against: real Postgres when it has one, PGlite always. */
export async function availableBackends(): Promise<Backend[]> {
  const server = await postgresServer();
  return server.url ? ['postgres', 'pglite'] : ['pglite'];
}

/**
 * A database of one's own: on a Postgres server a freshly created database
 * dropped at cleanup, else an in-memory PGlite.
 */
export async function freshDatabase(backend?: Backend): Promise<TestDatabase> {
  const server = await postgresServer();
  const chosen = backend ?? (server.url ? 'postgres' : 'pglite');
  if (chosen === 'pglite') {
    const db = await createPgliteDatabase();
    return { db, backend: 'pglite', url: undefined, cleanup: () => db.close() };
  }
  if (server.url === undefined) throw new Error(`no Postgres server for tests: ${server.why}`);
  const name = `gatehouse_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(server.url, `CREATE DATABASE ${name}`);
  const url = withDatabase(server.url, name);
  // Small pools (many test files share one server's 100 connections) and a
  // patient connect: a loaded CI machine is slow, not down.
  const db = createPgDatabase({ url, max: 4, connectTimeoutMs: 15_000 });
  return {
    db,
    backend: 'postgres',
    url,
    async cleanup() {
      await db.close();
      await adminQuery(server.url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
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
