import { randomBytes } from 'node:crypto';
import test from 'ava';
import { createPgDatabase, type Database } from '@gatehouse/db';
import { POOL_SIZE, freshDatabase, reserveDatabaseShare, type TestDatabase } from '@gatehouse/testkit';

let fileDatabase: Promise<TestDatabase> | undefined;

test.after.always(async () => {
  if (fileDatabase) await (await fileDatabase).cleanup();
});

/**
 * A database of one's own for each test, cheaply: one fresh Postgres
 * database per test file (CREATE DATABASE takes tens of seconds on a busy
 * server) and a schema per test inside it, selected by search_path.
 * Without a Postgres server, the test kit's PGlite databases do the same.
 */
export async function freshSchema(): Promise<{ db: Database; cleanup(): Promise<void> }> {
  fileDatabase ??= freshDatabase();
  const base = await fileDatabase;
  if (base.backend === 'pglite' || !base.url) {
    // The test kit's PGlite databases are already schemas in one instance.
    const own = await freshDatabase('pglite');
    return { db: own.db, cleanup: own.cleanup };
  }
  const release = await reserveDatabaseShare();
  const schema = `t_${randomBytes(6).toString('hex')}`;
  await base.db.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(base.url);
  url.searchParams.set('options', `-c search_path=${schema}`);
  // The file's database is dropped WITH (FORCE) at the end; a connection cut then is expected.
  const db = createPgDatabase({ url: url.toString(), max: POOL_SIZE, connectTimeoutMs: 15_000, onError: () => {} });
  return {
    db,
    async cleanup() {
      try {
        await db.close();
        await base.db.query(`DROP SCHEMA ${schema} CASCADE`);
      } finally {
        release();
      }
    },
  };
}
