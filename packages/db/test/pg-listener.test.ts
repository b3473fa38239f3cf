import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { ExecutionContext } from 'ava';
import { freshDatabase, postgresServer, testNeeding, eventually } from '@gatehouse/testkit';
import { createPgDatabase, type ListenOptions } from '../src/index.js';

const server = await postgresServer();
const needsPostgres = testNeeding(server.url === undefined ? server.why : undefined);

/** A TCP relay to Postgres whose open connections can be frozen: a link that died without either end noticing. */
async function relay(t: ExecutionContext, target: URL) {
  const pairs: Socket[][] = [];
  const relayServer = createServer((inbound) => {
    const outbound = connect(Number(target.port || 5432), target.hostname);
    inbound.pipe(outbound).pipe(inbound);
    const close = () => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('error', close).on('close', close);
    outbound.on('error', close).on('close', close);
    pairs.push([inbound, outbound]);
  });
  await new Promise<void>((resolve) => relayServer.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const socket of pairs.flat()) socket.destroy();
    relayServer.close();
  });
  const url = new URL(target);
  url.host = `127.0.0.1:${(relayServer.address() as AddressInfo).port}`;
  return {
    url: url.toString(),
    freeze() {
      for (const [inbound, outbound] of pairs) {
        inbound!.unpipe();
        outbound!.unpipe();
        inbound!.pause();
        outbound!.pause();
      }
    },
  };
}

async function listening(t: ExecutionContext, url: string, options: ListenOptions = {}) {
  const events: string[] = [];
  const db = createPgDatabase({ url, connectTimeoutMs: 2000 });
  const listener = db.listen!(
    'things',
    {
      onNotification: (payload) => events.push(`notified ${payload}`),
      onListening: () => events.push('listening'),
      onLost: () => events.push('lost'),
    },
    options,
  );
  t.teardown(async () => {
    await listener.close();
    await db.close();
  });
  return events;
}

needsPostgres('postgres: a NOTIFY on the channel → its payload handed over; other channels → nothing', async (t) => {
  const { db, url, cleanup } = await freshDatabase('postgres');
  t.teardown(cleanup);
  const events = await listening(t, url!);
  t.true(await eventually(() => events.includes('listening')));
  await db.query("SELECT pg_notify('other', 'x'), pg_notify('things', 'a')");
  await db.query("SELECT pg_notify('things', 'b')");
  t.true(await eventually(() => events.length === 3));
  t.deepEqual(events, ['listening', 'notified a', 'notified b']);
});

needsPostgres('postgres: the listening backend terminated → lost once, listening again after the retry', async (t) => {
  const { db, url, cleanup } = await freshDatabase('postgres');
  t.teardown(cleanup);
  const events = await listening(t, url!, { applicationName: 'listener-under-test', firstRetryMs: 50 });
  t.true(await eventually(() => events.includes('listening')));
  await db.query(
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'listener-under-test' AND datname = current_database()",
  );
  t.true(await eventually(() => events.length === 3));
  t.deepEqual(events, ['listening', 'lost', 'listening']);
  await db.query("SELECT pg_notify('things', 'after')");
  t.true(await eventually(() => events.includes('notified after')));
});

needsPostgres(
  'postgres: the connection stops answering without closing → lost after a heartbeat, then listening anew',
  async (t) => {
    const { db, url, cleanup } = await freshDatabase('postgres');
    t.teardown(cleanup);
    const link = await relay(t, new URL(url!));
    const events = await listening(t, link.url, { heartbeatMs: 200, firstRetryMs: 50 });
    t.true(await eventually(() => events.includes('listening')));
    link.freeze();
    t.true(await eventually(() => events.length === 3, 2000));
    t.deepEqual(events, ['listening', 'lost', 'listening']);
    await db.query("SELECT pg_notify('things', 'after')");
    t.true(await eventually(() => events.includes('notified after')));
  },
);
