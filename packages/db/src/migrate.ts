import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from './types.js';

export interface Migration {
  name: string;
  sql: string;
}

export interface MigrateResult {
  applied: string[];
}

// Any constant works; it only has to be the same for every replica of every service.
const lockKey = 0x6761_7465; // "gate"

/** Reads `NNN-name.sql` files in name order. */
export async function readMigrations(dir: string): Promise<Migration[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.sql')).sort();
  return Promise.all(names.map(async (name) => ({ name, sql: await readFile(join(dir, name), 'utf8') })));
}

/**
 * Applies pending migrations in one transaction under an advisory lock, so
 * replicas starting together take turns and the second finds nothing to do.
 * Forward-only: an applied migration whose text changed is refused.
 */
export async function migrate(db: Database, migrations: Migration[]): Promise<MigrateResult> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [lockKey]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await tx.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations');
    const done = new Map(rows.map((r) => [r.name, r.checksum]));
    const applied: string[] = [];
    for (const migration of migrations) {
      const checksum = createHash('sha256').update(migration.sql).digest('hex');
      const prior = done.get(migration.name);
      if (prior !== undefined) {
        if (prior !== checksum) {
          throw new Error(`migration ${migration.name} was changed after it was applied; add a new migration instead`);
        }
        continue;
      }
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)', [migration.name, checksum]);
      applied.push(migration.name);
    }
    return { applied };
  });
}
