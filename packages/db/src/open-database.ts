import { join } from 'node:path';
import { createPgDatabase } from './pg-driver.js';
import { createPgliteDatabase } from './pglite-driver.js';
import { migrate, readMigrations } from './migrate.js';
import type { Database } from './types.js';

/** The two settings every service with a database has (its config schema's own keys). */
export interface DatabaseConfig {
  /** A postgres:// URL; unset means the embedded PGlite in DATA_DIR/pglite. */
  DATABASE_URL?: string | undefined;
  /** The pg pool's size (default 10). */
  DATABASE_POOL_SIZE?: number | undefined;
  DATA_DIR: string;
}

/** What this package logs through; a pino logger fits. */
export interface DatabaseLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** pg when a server is configured, embedded PGlite otherwise (same SQL either way), migrated. */
export async function openDatabase(
  config: DatabaseConfig,
  migrationsDir: string,
  logger: DatabaseLogger,
): Promise<Database> {
  const db = config.DATABASE_URL
    ? createPgDatabase({
        url: config.DATABASE_URL,
        ...(config.DATABASE_POOL_SIZE ? { max: config.DATABASE_POOL_SIZE } : {}),
        onError: (err) => logger.warn({ err: err.message }, 'idle database connection lost'),
      })
    : await createPgliteDatabase(join(config.DATA_DIR, 'pglite'));
  try {
    return await migrateDatabase(db, migrationsDir, logger);
  } catch (err) {
    await db.close();
    throw err;
  }
}

/** Applies the service's pending migrations (a database it was given, in tests) and returns the database. */
export async function migrateDatabase(db: Database, migrationsDir: string, logger: DatabaseLogger): Promise<Database> {
  const { applied } = await migrate(db, await readMigrations(migrationsDir));
  if (applied.length) logger.info({ applied }, 'migrations applied');
  return db;
}
