import { mkdir } from 'node:fs/promises';
import { PGlite, type PGliteOptions, type Transaction } from '@electric-sql/pglite';
import { translateError } from './errors.js';
import type { Database, Queryable } from './types.js';

/**
 * What a caller that boots many instances (the test kit) may share between them:
 * compiled WASM modules, a pre-initialised data directory, smaller buffers.
 */
export type PgliteTuning = Pick<
  PGliteOptions,
  'pgliteWasmModule' | 'initdbWasmModule' | 'fsBundle' | 'loadDataDir' | 'postgresqlconf' | 'relaxedDurability'
>;

/**
 * Embedded Postgres (WASM) for machines with no database server. One
 * connection: PGlite queues queries itself, and a transaction holds the
 * connection until it ends, so callers see the same semantics as pg.
 */
export async function createPgliteDatabase(dataDir?: string, tuning: PgliteTuning = {}): Promise<Database> {
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create({ ...(dataDir ? { dataDir } : {}), ...tuning });
  const queryable = (target: PGlite | Transaction): Queryable => ({
    async query(sql, params) {
      try {
        const result = await target.query<never>(sql, params as unknown[] | undefined);
        return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
      } catch (err) {
        throw translateError(err);
      }
    },
    async exec(sql) {
      try {
        await target.exec(sql);
      } catch (err) {
        throw translateError(err);
      }
    },
  });
  return {
    kind: 'pglite',
    ...queryable(db),
    async transaction(fn) {
      try {
        return await db.transaction((tx) => fn(queryable(tx)));
      } catch (err) {
        throw translateError(err);
      }
    },
    async ping() {
      await db.query('SELECT 1');
    },
    async close() {
      if (!db.closed) await db.close();
    },
  };
}
