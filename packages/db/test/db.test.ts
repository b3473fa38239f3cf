import test from 'ava';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { availableBackends, freshDatabase, postgresServer, testNeeding } from '@gatehouse/testkit';
import {
  ConnectionLostError,
  UniqueViolationError,
  createPgDatabase,
  migrate,
  openDatabase,
  type Migration,
} from '../src/index.js';

const migrations: Migration[] = [
  {
    name: '001-people.sql',
    sql: 'CREATE TABLE people (id serial PRIMARY KEY, email text NOT NULL CONSTRAINT people_email_key UNIQUE);',
  },
  {
    name: '002-people-name.sql',
    sql: "ALTER TABLE people ADD COLUMN name text NOT NULL DEFAULT '';\nCREATE INDEX people_name ON people (name);",
  },
];

for (const backend of await availableBackends()) {
  test(`${backend}: migrate twice → applies each file once and records it`, async (t) => {
    const { db, cleanup } = await freshDatabase(backend);
    t.teardown(cleanup);
    t.deepEqual((await migrate(db, migrations)).applied, ['001-people.sql', '002-people-name.sql']);
    t.deepEqual((await migrate(db, migrations)).applied, []);
    const { rows } = await db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
    t.deepEqual(
      rows.map((r) => r.name),
      ['001-people.sql', '002-people-name.sql'],
    );
  });

  test(`${backend}: an applied migration edited afterwards → refused`, async (t) => {
    const { db, cleanup } = await freshDatabase(backend);
    t.teardown(cleanup);
    await migrate(db, migrations);
    const edited = [migrations[0]!, { ...migrations[1]!, sql: migrations[1]!.sql + '\n-- edit' }];
    await t.throwsAsync(migrate(db, edited), { message: /002-people-name.sql was changed after it was applied/ });
  });

  test(`${backend}: a failing migration → nothing of that run is applied`, async (t) => {
    const { db, cleanup } = await freshDatabase(backend);
    t.teardown(cleanup);
    await t.throwsAsync(
      migrate(db, [...migrations, { name: '003-bad.sql', sql: 'ALTER TABLE nope ADD COLUMN x int;' }]),
    );
    const { rows } = await db.query("SELECT to_regclass('people') AS t");
    t.is(rows[0]?.t, null);
  });

  test(`${backend}: duplicate unique value → UniqueViolationError naming the constraint`, async (t) => {
    const { db, cleanup } = await freshDatabase(backend);
    t.teardown(cleanup);
    await migrate(db, migrations);
    await db.query('INSERT INTO people (email) VALUES ($1)', ['a@example.com']);
    const error = await t.throwsAsync(db.query('INSERT INTO people (email) VALUES ($1)', ['a@example.com']), {
      instanceOf: UniqueViolationError,
    });
    t.is(error?.constraint, 'people_email_key');
  });

  test(`${backend}: transaction that throws → rolled back; one that resolves → committed`, async (t) => {
    const { db, cleanup } = await freshDatabase(backend);
    t.teardown(cleanup);
    await migrate(db, migrations);
    await t.throwsAsync(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO people (email) VALUES ($1)', ['gone@example.com']);
        throw new Error('changed my mind');
      }),
      { message: 'changed my mind' },
    );
    const id = await db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: number }>('INSERT INTO people (email) VALUES ($1) RETURNING id', [
        'kept@example.com',
      ]);
      return rows[0]!.id;
    });
    const { rows } = await db.query<{ email: string; id: number }>('SELECT id, email FROM people');
    t.deepEqual(rows, [{ id, email: 'kept@example.com' }]);
  });

  test(`${backend}: parameters are values, never SQL`, async (t) => {
    const { db, cleanup } = await freshDatabase(backend);
    t.teardown(cleanup);
    await migrate(db, migrations);
    const evil = "x'); DROP TABLE people; --";
    await db.query('INSERT INTO people (email) VALUES ($1)', [evil]);
    const { rows } = await db.query<{ email: string }>('SELECT email FROM people');
    t.deepEqual(rows, [{ email: evil }]);
  });
}

const server = await postgresServer();
// Serial, so they run before the PGlite tests of this file: booting PGlite holds
// the event loop for seconds, and these pools connect with the 2 s timeout a
// service has, which would count that wait as the server's.
const needsServer = testNeeding(server.url === undefined ? server.why : undefined, { serial: true });
needsServer('postgres: two replicas migrating at once → each file applied exactly once', async (t) => {
  const { url, cleanup } = await freshDatabase('postgres');
  t.teardown(cleanup);
  const replicas = Array.from({ length: 4 }, () => createPgDatabase({ url: url! }));
  t.teardown(() => Promise.all(replicas.map((r) => r.close())));
  const results = await Promise.all(replicas.map((r) => migrate(r, migrations)));
  t.deepEqual(results.flatMap((r) => r.applied).sort(), ['001-people.sql', '002-people-name.sql']);
});

needsServer(
  'postgres: DATABASE_POOL_SIZE 3, ten queries at once → never more than 3 connections to the database',
  async (t) => {
    const { url, cleanup } = await freshDatabase('postgres');
    t.teardown(cleanup);
    const dir = mkdtempSync(join(tmpdir(), 'pool-size-'));
    const logger = { info: () => {}, warn: () => {} };
    const db = await openDatabase({ DATABASE_URL: url!, DATABASE_POOL_SIZE: 3, DATA_DIR: dir }, dir, logger);
    t.teardown(() => db.close());
    const name = new URL(url!).pathname.slice(1);
    const counts = await Promise.all(
      Array.from({ length: 10 }, () =>
        db.query<{ n: number }>(
          'SELECT (SELECT count(*)::int FROM pg_stat_activity WHERE datname = $1) AS n, pg_sleep(0.05)',
          [name],
        ),
      ),
    );
    t.true(Math.max(...counts.map((c) => c.rows[0]!.n)) <= 3);
    t.is(Math.max(...counts.map((c) => c.rows[0]!.n)), 3, 'the pool did open all three');
  },
);

test('postgres: server unreachable → ConnectionLostError, quickly', async (t) => {
  const db = createPgDatabase({ url: 'postgres://postgres@127.0.0.1:1/none', connectTimeoutMs: 500 });
  t.teardown(() => db.close());
  const started = Date.now();
  const error = await t.throwsAsync(db.query('SELECT 1'), { instanceOf: ConnectionLostError });
  t.true(error?.unavailable);
  t.true(Date.now() - started < 2000);
});

test('openDatabase without DATABASE_URL → PGlite in DATA_DIR, migrated once; data survives a restart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pglite-'));
  const migrationsDir = join(dir, 'migrations');
  mkdirSync(migrationsDir);
  for (const m of migrations) writeFileSync(join(migrationsDir, m.name), m.sql);
  const logged: unknown[] = [];
  const logger = { info: (fields: object) => logged.push(fields), warn: (fields: object) => logged.push(fields) };
  const first = await openDatabase({ DATA_DIR: join(dir, 'data') }, migrationsDir, logger);
  t.is(first.kind, 'pglite');
  await first.query('INSERT INTO people (email) VALUES ($1)', ['kept@example.com']);
  await first.close();
  const second = await openDatabase({ DATA_DIR: join(dir, 'data') }, migrationsDir, logger);
  t.teardown(() => second.close());
  const { rows } = await second.query<{ email: string }>('SELECT email FROM people');
  t.deepEqual(rows, [{ email: 'kept@example.com' }]);
  t.deepEqual(
    logged,
    [{ applied: ['001-people.sql', '002-people-name.sql'] }],
    'the second start has nothing to apply',
  );
});
