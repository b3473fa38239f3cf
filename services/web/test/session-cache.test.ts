import type { ExecutionContext } from 'ava';
import { migrateDatabase, type Database, type ListenOptions } from '@gatehouse/db';
import { ManualClock, systemClock, type Clock } from '@gatehouse/service-kit';
import {
  captureLogs,
  eventually,
  freshDatabase,
  postgresServer,
  testNeeding,
  type CapturedLogs,
} from '@gatehouse/testkit';
import { migrationsDir } from '../src/paths.js';
import { createSealer } from '../src/session/seal.js';
import { createSessionCache, type SessionCache } from '../src/session/session-cache.js';
import { dropChangedSessions, sessionListenerName } from '../src/session/session-invalidation.js';
import { createPostgresSessionStore } from '../src/session/store-postgres.js';
import type { SessionStore } from '../src/session/store.js';
import { sessionSecret } from './helpers/stack.js';

const server = await postgresServer();
const needsPostgres = testNeeding(server.url === undefined ? server.why : undefined);
const sealer = createSealer(sessionSecret);
const hourFromNow = () => Date.now() + 3600_000;

interface Replica {
  store: SessionStore;
  cache: SessionCache;
  logs: CapturedLogs;
}

/** One web replica's session store with its cache, as runtime.ts builds it, listening before it is returned. */
async function replica(
  t: ExecutionContext,
  db: Database,
  options: { clock?: Clock; sweepEveryMs?: number; listen?: ListenOptions } = {},
): Promise<Replica> {
  const logs = captureLogs('web');
  const cache = createSessionCache({ maxEntries: 100 });
  const changes = dropChangedSessions({
    db,
    cache,
    logger: logs.logger,
    ...(options.listen ? { listen: options.listen } : {}),
  });
  const store = createPostgresSessionStore({
    db,
    sealer,
    clock: options.clock ?? systemClock,
    cache,
    ...(options.sweepEveryMs ? { sweepEveryMs: options.sweepEveryMs } : {}),
  });
  t.teardown(async () => {
    await store.close();
    await changes.close();
  });
  await eventually(() => cache.stats().active);
  return { store, cache, logs };
}

async function sharedDatabase(t: ExecutionContext): Promise<Database> {
  const { db, cleanup } = await freshDatabase('postgres');
  t.teardown(cleanup);
  return migrateDatabase(db, migrationsDir, captureLogs('web').logger);
}

/** Changes a record behind every cache's back, as a missed announcement would leave it. */
async function overwriteUnannounced(db: Database, sessionId: string, data: Record<string, unknown>): Promise<void> {
  await db.query('UPDATE web_sessions SET data = $1 WHERE id = $2', [
    sealer.seal(sessionId, data),
    sealer.storageKey(sessionId),
  ]);
}

needsPostgres(
  'a repeat read on the replica that wrote the session, nothing changed → served from memory, not Postgres',
  async (t) => {
    const db = await sharedDatabase(t);
    const a = await replica(t, db);
    await a.store.set('s1', { n: 1 }, hourFromNow());
    await overwriteUnannounced(db, 's1', { n: 2 });
    t.deepEqual(await a.store.get('s1'), { n: 1 }, 'a read of Postgres would have found n: 2');
    t.deepEqual(await a.store.get('s1'), { n: 1 });
    t.like(a.cache.stats(), { hits: 2, misses: 0 });
  },
);

needsPostgres('a read on a second replica → one miss, then hits; each get hands out a copy of its own', async (t) => {
  const db = await sharedDatabase(t);
  const [a, b] = [await replica(t, db), await replica(t, db)];
  await a.store.set('s1', { n: 1, nested: { x: 1 } }, hourFromNow());
  // Once B has heard of A's write, nothing more will drop what B keeps.
  t.true(await eventually(() => b.cache.stats().invalidations === 1));
  const first = (await b.store.get('s1'))!;
  (first.nested as { x: number }).x = 99;
  t.deepEqual(await b.store.get('s1'), { n: 1, nested: { x: 1 } });
  t.like(b.cache.stats(), { hits: 1, misses: 1 });
});

needsPostgres(
  'replica B updates a session replica A holds → A reads B’s data; B destroys it → A finds none',
  async (t) => {
    const db = await sharedDatabase(t);
    const [a, b] = [await replica(t, db), await replica(t, db)];
    await a.store.set('s1', { n: 1 }, hourFromNow());
    t.deepEqual(await a.store.get('s1'), { n: 1 });
    await b.store.set('s1', { n: 2 }, hourFromNow());
    t.true(await eventually(async () => (await a.store.get('s1'))?.n === 2), 'A still serves n: 1');
    await b.store.destroy('s1');
    t.true(await eventually(async () => (await a.store.get('s1')) === undefined), 'A still serves a destroyed session');
  },
);

needsPostgres('the expiry sweep on replica B deletes a row → replica A stops serving it', async (t) => {
  const db = await sharedDatabase(t);
  const a = await replica(t, db);
  await a.store.set('s1', { n: 1 }, hourFromNow());
  t.deepEqual(await a.store.get('s1'), { n: 1 });
  // B's clock is two hours on, so its sweep takes rows A still counts as live: only the announcement tells A.
  await replica(t, db, { clock: new ManualClock(Date.now() + 2 * 3600_000), sweepEveryMs: 50 });
  t.true(await eventually(async () => (await a.store.get('s1')) === undefined), 'A still serves a swept session');
});

needsPostgres('a cached record past its expires_at → not served, even before any sweep', async (t) => {
  const db = await sharedDatabase(t);
  const clock = new ManualClock(Date.now());
  const a = await replica(t, db, { clock });
  await a.store.set('s1', { n: 1 }, clock.now().getTime() + 60_000);
  t.deepEqual(await a.store.get('s1'), { n: 1 });
  clock.advance(60_000);
  t.is(await a.store.get('s1'), undefined);
});

needsPostgres(
  'the listening connection is killed → reads go to Postgres until it listens again, then the cache is used and told again',
  async (t) => {
    const db = await sharedDatabase(t);
    const a = await replica(t, db, { listen: { firstRetryMs: 1500 } });
    const b = await replica(t, db);
    await a.store.set('s1', { n: 1 }, hourFromNow());
    t.deepEqual(await a.store.get('s1'), { n: 1 });

    const { rowCount } = await db.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
     WHERE application_name = $1 AND datname = current_database() AND pid <> pg_backend_pid()`,
      [sessionListenerName],
    );
    t.is(rowCount, 2, "both replicas' listeners");
    t.true(await eventually(() => !a.cache.stats().active));
    await overwriteUnannounced(db, 's1', { n: 2 });
    t.deepEqual(await a.store.get('s1'), { n: 2 }, 'a change no one could hear of is seen while the cache is off');
    t.deepEqual(await a.store.get('s1'), { n: 2 });
    t.like(a.cache.stats(), { entries: 0 });
    t.true(
      a.logs.lines().some((l) => l.level === 'warn' && String(l.msg).includes('unheard')),
      'the loss is logged',
    );

    t.true(await eventually(() => a.cache.stats().active), 'listening again after the retry');
    t.true(a.logs.lines().some((l) => l.level === 'info' && String(l.msg).includes('heard again')));
    const { hits } = a.cache.stats();
    t.deepEqual(await a.store.get('s1'), { n: 2 });
    t.deepEqual(await a.store.get('s1'), { n: 2 });
    t.is(a.cache.stats().hits, hits + 1, 'cache in use again');
    await b.store.set('s1', { n: 3 }, hourFromNow());
    t.true(await eventually(async () => (await a.store.get('s1'))?.n === 3), 'changes are heard again');
  },
);
