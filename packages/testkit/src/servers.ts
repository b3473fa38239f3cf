import { Socket } from 'node:net';
import pg from 'pg';
import { Redis } from 'ioredis';
import { dockerReachable } from './docker.js';

export type ServerSource = { url: string; via: string } | { url: undefined; why: string };

/** The addresses a machine of ours runs its servers on, tried when nothing is exported. */
export const localDefaults = {
  postgres: 'postgres://postgres@127.0.0.1:5432/postgres',
  redis: 'redis://127.0.0.1:6379',
};

/** `GATEHOUSE_TEST_SERVERS=embedded` pretends no server exists: PGlite only, Redis tests skipped. */
export const embeddedOnly = () => process.env.GATEHOUSE_TEST_SERVERS === 'embedded';

interface Kind {
  name: 'Postgres' | 'Redis';
  env: 'DATABASE_URL' | 'REDIS_URL';
  local: string;
  /** Resolves when the server answers; rejects with why not. */
  check(url: string): Promise<void>;
  container(): Promise<string>;
}

/**
 * Where a test server comes from, first match wins: the environment, a server
 * on the default local address, a testcontainers container when a Docker
 * engine answers, else none (with the reason). An exported URL that does not
 * answer is an error, never a reason to fall back.
 */
async function resolve(kind: Kind): Promise<ServerSource> {
  // Each reason names the server, so a skipped test's line says what it needed.
  const none = (why: string): ServerSource => ({ url: undefined, why: `no ${kind.name} server (${why})` });
  if (embeddedOnly()) return none('GATEHOUSE_TEST_SERVERS=embedded uses none');
  const fromEnv = process.env[kind.env];
  if (fromEnv) {
    await kind.check(fromEnv).catch((err: Error) => {
      throw new Error(`${kind.env} is set but does not answer: ${err.message}`, { cause: err });
    });
    return { url: fromEnv, via: kind.env };
  }
  const local = new URL(kind.local);
  if (await portOpen(local.hostname, Number(local.port))) {
    try {
      await kind.check(kind.local);
      return { url: kind.local, via: 'found locally' };
    } catch {
      // Something else listens there (or refuses us): try the next source.
    }
  }
  if (await dockerReachable()) {
    try {
      return { url: await kind.container(), via: 'testcontainers' };
    } catch (err) {
      return none(`testcontainers could not start it: ${(err as Error).message}`);
    }
  }
  return none(`${kind.env} is not set, nothing answers on ${local.host} and no Docker engine is reachable`);
}

/** A plain TCP connect with a short timeout, so a machine without the server waits 300 ms, not 3 s. */
function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = new Socket();
    const finish = (open: boolean) => {
      socket.destroy();
      done(open);
    };
    socket.setTimeout(300, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
    socket.connect(port, host);
  });
}

const postgresKind: Kind = {
  name: 'Postgres',
  env: 'DATABASE_URL',
  local: localDefaults.postgres,
  async check(url) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
    } finally {
      await client.end().catch(() => {});
    }
  },
  async container() {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const started = await new PostgreSqlContainer(process.env.TEST_POSTGRES_IMAGE ?? 'postgres:17').start();
    return started.getConnectionUri();
  },
};

const redisKind: Kind = {
  name: 'Redis',
  env: 'REDIS_URL',
  local: localDefaults.redis,
  async check(url) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 3000 });
    try {
      await client.connect();
      await client.ping();
    } finally {
      client.disconnect();
    }
  },
  async container() {
    const { RedisContainer } = await import('@testcontainers/redis');
    const started = await new RedisContainer(process.env.TEST_REDIS_IMAGE ?? 'redis:7').start();
    return started.getConnectionUrl();
  },
};

let postgres: Promise<ServerSource> | undefined;
let redis: Promise<ServerSource> | undefined;

/** The Postgres server tests use, asked once per process. */
export const postgresServer = () => (postgres ??= resolve(postgresKind));
/** The Redis server tests use, asked once per process. */
export const redisServer = () => (redis ??= resolve(redisKind));

/** `Postgres at 127.0.0.1:5432 (found locally)`, or `no Postgres server (why)`. */
export function describeSource(name: string, source: ServerSource): string {
  if (source.url === undefined) return source.why;
  const { host } = new URL(source.url);
  return `${name} at ${host} (${source.via})`;
}
