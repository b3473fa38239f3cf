import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { ConnectionLostError, createPgliteDatabase, type Database, type PgliteTuning } from '@gatehouse/db';

/*
 * Why this exists: every PGlite instance is a whole Postgres in WASM linear
 * memory (about 290 MB of RSS each, even with small buffers), and WASM memory
 * never shrinks. Test processes that booted one per database (a web stack
 * needs two, the mirror's four) summed to 4–8 GB. So a test process boots
 * one PGlite, from an initialised data directory instead of running initdb,
 * and each fresh database is a schema of its own in it, selected by
 * search_path, as github-sandbox's tests do on a server. PGlite runs on the
 * process's one thread anyway, so sharing it costs no parallelism.
 */

const postgresqlconf = 'shared_buffers=8MB\nwork_mem=1MB\nmaintenance_work_mem=8MB\nwal_buffers=256kB';

let shared: Promise<Database> | undefined;
let open = 0;
let closing: NodeJS.Timeout | undefined;

function sharedInstance(): Promise<Database> {
  clearTimeout(closing);
  shared ??= (async () => {
    searchPath = undefined;
    const dist = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
    return createPgliteDatabase(undefined, { postgresqlconf, loadDataDir: await template(dist) });
  })();
  return shared;
}

/*
 * A PGlite booted from a data directory keeps a timer that holds the process
 * open, so the instance is closed once no database is left in it. It is
 * closed a moment later, not at once: serial tests close one database and
 * open the next, and a boot costs most of a second.
 */
function released(): void {
  open -= 1;
  if (open > 0) return;
  const instance = shared;
  closing = setTimeout(() => {
    if (shared !== instance || open > 0) return;
    shared = undefined;
    void inTurn(async () => (await instance)?.close());
  }, 1000);
}

/** An initialised, empty data directory, made once per machine and PGlite version. */
async function template(dist: string): Promise<Blob> {
  const { version } = JSON.parse(await readFile(join(dist, '..', 'package.json'), 'utf8')) as { version: string };
  const file = join(tmpdir(), `gatehouse-pglite-template-${version}.tar`);
  const cached = await readFile(file).catch(() => undefined);
  if (cached) return new Blob([cached]);
  const db = await PGlite.create({ postgresqlconf } satisfies PgliteTuning);
  const dump = await db.dumpDataDir('none');
  await db.close();
  const bytes = Buffer.from(await dump.arrayBuffer());
  // Written aside and renamed, so a concurrent test process never reads half a file.
  const partial = `${file}.${randomBytes(4).toString('hex')}`;
  await writeFile(partial, bytes);
  await rename(partial, file);
  return new Blob([bytes]);
}

/*
 * The instance has one connection and one search_path, so every use by any
 * schema's database takes turns here: the path is switched only between
 * turns, and a transaction keeps its turn to the end, as it keeps PGlite's
 * own connection. A transaction must not wait on another of these databases
 * (service code never holds one across a call to another service).
 */
let turns: Promise<unknown> = Promise.resolve();
let searchPath: string | undefined;

function inTurn<T>(fn: () => Promise<T>): Promise<T> {
  const run = turns.then(fn, fn);
  turns = run.catch(() => undefined);
  return run;
}

function inSchema(base: Database, schema: string): Database {
  let closed = false;
  const use = <T>(fn: () => Promise<T>): Promise<T> =>
    inTurn(async () => {
      if (closed) throw new ConnectionLostError(new Error(`test database ${schema} was closed`));
      if (searchPath !== schema) {
        await base.exec(`SET search_path TO ${schema}`);
        searchPath = schema;
      }
      return fn();
    });
  return {
    kind: 'pglite',
    query: (sql, params) => use(() => base.query(sql, params)),
    exec: (sql) => use(() => base.exec(sql)),
    transaction: (fn) => use(() => base.transaction(fn)),
    ping: () => use(() => base.ping()),
    async close() {
      if (closed) return;
      closed = true;
      // Dropped, not kept: the instance lives as long as the test process.
      try {
        await inTurn(() => base.exec(`DROP SCHEMA ${schema} CASCADE`));
      } finally {
        released();
      }
    },
  };
}

/** `count` empty databases, each a fresh schema in this process's one PGlite; closing one drops it. */
export async function pgliteDatabases(count: number): Promise<Database[]> {
  const base = await sharedInstance();
  const dbs: Database[] = [];
  for (let i = 0; i < count; i += 1) {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    await inTurn(() => base.exec(`CREATE SCHEMA ${schema}`));
    open += 1;
    dbs.push(inSchema(base, schema));
  }
  return dbs;
}
