import { createHash } from 'node:crypto';
import pg from 'pg';
import { translateError } from './errors.js';
import { listenOnConnection } from './pg-listener.js';
import type { Database, Queryable, QueryResult } from './types.js';

export interface PgOptions {
  url: string;
  max?: number;
  /** Give up on a connection this fast, so a dead database is a quick 503, not a hung request. */
  connectTimeoutMs?: number;
  onError?: (err: Error) => void;
}

export function createPgDatabase(options: PgOptions): Database {
  const connectTimeoutMs = options.connectTimeoutMs ?? 2000;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    connectionTimeoutMillis: connectTimeoutMs,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its server emits here; without a listener it would crash the process.
  pool.on('error', (err) => options.onError?.(err));

  // Parameterised statements are prepared once per connection under a name
  // derived from their text, so Postgres parses and plans each only once.
  const names = new Map<string, string>();
  const nameOf = (sql: string) => {
    let name = names.get(sql);
    if (!name) names.set(sql, (name = `g${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`));
    return name;
  };
  const run = async <R>(
    client: pg.Pool | pg.PoolClient,
    sql: string,
    params?: readonly unknown[],
  ): Promise<QueryResult<R>> => {
    try {
      const result = params
        ? await client.query({ name: nameOf(sql), text: sql, values: params as unknown[] })
        : await client.query(sql);
      return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
    } catch (err) {
      throw translateError(err);
    }
  };
  const queryable = (client: pg.Pool | pg.PoolClient): Queryable => ({
    query: (sql, params) => run(client, sql, params),
    exec: async (sql) => {
      await run(client, sql);
    },
  });

  return {
    kind: 'postgres',
    ...queryable(pool),
    listen: (channel, handlers, listenOptions) =>
      listenOnConnection({ url: options.url, connectTimeoutMs }, channel, handlers, listenOptions),
    async transaction(fn) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw translateError(err);
      }
      let broken = false;
      try {
        await run(client, 'BEGIN');
        const result = await fn(queryable(client));
        await run(client, 'COMMIT');
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        throw translateError(err);
      } finally {
        // A client whose ROLLBACK failed is in an unknown state: drop it rather than reuse it.
        client.release(broken);
      }
    },
    async ping() {
      await run(pool, 'SELECT 1');
    },
    async close() {
      await pool.end();
    },
  };
}
