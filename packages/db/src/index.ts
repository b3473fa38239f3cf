import { createPgDatabase, type PgOptions } from './pg-driver.js';
import { createPgliteDatabase, type PgliteTuning } from './pglite-driver.js';
import type { Database } from './types.js';

export type { Database, Queryable, QueryResult } from './types.js';
export { DatabaseError, UniqueViolationError, ConnectionLostError, translateError } from './errors.js';
export { migrate, readMigrations, type Migration, type MigrateResult } from './migrate.js';
export { createPgDatabase, createPgliteDatabase, type PgOptions, type PgliteTuning };

export interface DatabaseOptions {
  /** A postgres:// URL; without one, the embedded PGlite is used. */
  url?: string | undefined;
  /** PGlite's data directory; in memory when absent. */
  dataDir?: string | undefined;
  onError?: (err: Error) => void;
}

/** pg when a server is configured, embedded PGlite otherwise: same SQL either way. */
export async function createDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) return createPgDatabase({ url: options.url, ...(options.onError ? { onError: options.onError } : {}) });
  return createPgliteDatabase(options.dataDir);
}
