import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** The tables a service's migrations create, in order. */
async function migratedTables(migrationsDir: string): Promise<string[]> {
  const tables: string[] = [];
  for (const file of (await readdir(migrationsDir)).filter((f) => f.endsWith('.sql')).sort()) {
    const sql = await readFile(join(migrationsDir, file), 'utf8');
    for (const match of sql.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?"?(\w+)"?/gi)) tables.push(match[1]!);
  }
  return tables;
}

/**
 * For each table the migrations create, the source files (relative to
 * `srcDir`) whose SQL names it after FROM, JOIN, INTO, UPDATE or TABLE. SQL
 * keywords are upper case in this codebase, so prose such as "comes from
 * users" does not count.
 */
export async function sqlOwners(srcDir: string, migrationsDir: string): Promise<Map<string, string[]>> {
  const tables = await migratedTables(migrationsDir);
  const owners = new Map(tables.map((table) => [table, [] as string[]]));
  const files = (await readdir(srcDir, { recursive: true })).filter((f) => /\.[cm]?ts$/.test(f)).sort();
  for (const file of files) {
    const text = await readFile(join(srcDir, file), 'utf8');
    for (const table of tables) {
      if (new RegExp(`\\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\\s+"?${table}\\b`).test(text)) {
        owners.get(table)!.push(relative(srcDir, join(srcDir, file)));
      }
    }
  }
  return owners;
}
