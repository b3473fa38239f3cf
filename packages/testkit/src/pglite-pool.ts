import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createPgliteDatabase, type Database, type PgliteTuning } from '@gatehouse/db';

/*
 * Why this exists: every PGlite instance is a whole Postgres in WASM linear
 * memory (about 280 MB with default buffers), and WASM memory never shrinks.
 * Each test used to boot its own, all at once (ava runs a file's tests
 * concurrently), so one test process reached 8 GB and V8 crashed freeing
 * their compiled code. Here a test process compiles the WASM once, boots from
 * an initialised data directory instead of running initdb each time, keeps
 * buffers small, and holds at most a few instances alive at a time.
 */

/** Live instances per test process; ava runs one process per file, two files at a time on 2 cores. */
const maxLive = Number(process.env.GATEHOUSE_TEST_PGLITE_LIVE ?? 3);
const postgresqlconf = 'shared_buffers=8MB\nwork_mem=1MB\nmaintenance_work_mem=8MB\nwal_buffers=256kB';

type WasmModule = NonNullable<PgliteTuning['pgliteWasmModule']>;
// Node has WebAssembly at run time, but this project's type libraries (no DOM) do not declare it.
const { compile } = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<WasmModule> } })
  .WebAssembly;

let shared: Promise<PgliteTuning> | undefined;

function sharedTuning(): Promise<PgliteTuning> {
  shared ??= (async () => {
    const dist = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
    const [pglite, initdb] = await Promise.all([
      readFile(join(dist, 'pglite.wasm')).then((bytes) => compile(bytes)),
      readFile(join(dist, 'initdb.wasm')).then((bytes) => compile(bytes)),
    ]);
    const modules = { pgliteWasmModule: pglite, initdbWasmModule: initdb, postgresqlconf };
    return { ...modules, loadDataDir: await template(modules, dist) };
  })();
  return shared;
}

/** An initialised, empty data directory, made once per machine and PGlite version. */
async function template(modules: PgliteTuning, dist: string): Promise<Blob> {
  const { version } = JSON.parse(await readFile(join(dist, '..', 'package.json'), 'utf8')) as { version: string };
  const file = join(tmpdir(), `gatehouse-pglite-template-${version}.tar`);
  const cached = await readFile(file).catch(() => undefined);
  if (cached) return new Blob([cached]);
  const db = await PGlite.create(modules);
  const dump = await db.dumpDataDir('none');
  await db.close();
  const bytes = Buffer.from(await dump.arrayBuffer());
  // Written aside and renamed, so a concurrent test process never reads half a file.
  const partial = `${file}.${randomBytes(4).toString('hex')}`;
  await writeFile(partial, bytes);
  await rename(partial, file);
  return new Blob([bytes]);
}

let free = maxLive;
const waiting: { count: number; wake: () => void }[] = [];

/*
 * The limit is soft: a test that opens its databases one by one (a stack of
 * four services) may already hold every slot of its process and wait for
 * itself, so a waiter goes ahead after `overCommitAfterMs` rather than hang.
 */
const overCommitAfterMs = 10_000;

async function acquire(count: number): Promise<void> {
  if (waiting.length === 0 && free >= count) {
    free -= count;
    return;
  }
  await new Promise<void>((resolve) => {
    const waiter = {
      count,
      wake: () => {
        clearTimeout(timer);
        resolve();
      },
    };
    const timer = setTimeout(() => {
      const at = waiting.indexOf(waiter);
      if (at >= 0) waiting.splice(at, 1);
      free -= count;
      resolve();
    }, overCommitAfterMs);
    waiting.push(waiter);
  });
}

function release(count: number): void {
  free += count;
  while (waiting.length > 0 && free >= waiting[0]!.count) {
    const next = waiting.shift()!;
    free -= next.count;
    next.wake();
  }
}

/**
 * `count` in-memory PGlite databases, their slots taken together so that a
 * test needing two (web's stack: auth's and web's) never holds one while
 * waiting for the other. Closing a database gives its slot back.
 */
export async function leasePglite(count: number): Promise<Database[]> {
  const tuning = await sharedTuning();
  const slots = Math.min(count, maxLive);
  await acquire(slots);
  let unreleased = slots;
  const giveBack = () => {
    if (unreleased === 0) return;
    unreleased -= 1;
    release(1);
  };
  const dbs: Database[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      const db = await createPgliteDatabase(undefined, tuning);
      let closed = false;
      dbs.push({
        ...db,
        async close() {
          if (closed) return;
          closed = true;
          await db.close();
          giveBack();
        },
      });
    }
    return dbs;
  } catch (err) {
    await Promise.all(dbs.map((db) => db.close()));
    while (unreleased > 0) giveBack();
    throw err;
  }
}
