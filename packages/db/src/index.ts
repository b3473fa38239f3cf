export type { Database, Queryable, QueryResult, ListenHandlers, ListenOptions, Listening } from './types.js';
export { DatabaseError, UniqueViolationError, ConnectionLostError, translateError } from './errors.js';
export { migrate, readMigrations, type Migration, type MigrateResult } from './migrate.js';
export { createPgDatabase, type PgOptions } from './pg-driver.js';
export { createPgliteDatabase, type PgliteTuning } from './pglite-driver.js';
export { openDatabase, migrateDatabase, type DatabaseConfig, type DatabaseLogger } from './open-database.js';
