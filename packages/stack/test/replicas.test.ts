import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import test from 'ava';
import pg from 'pg';
import { POOL_SIZE, postgresServer, reserveDatabaseShare, testNeeding } from '@gatehouse/testkit';
import { findNginx, services, startStack } from '../src/index.js';
import { serviceDatabaseUrl } from '../src/local/replicas.js';
import { configWithFreePorts } from './fixtures/free-config.js';

// Before any test is declared (ava wants them all declared synchronously).
const server = await postgresServer();
const nginxBin = findNginx({ path: process.env.PATH });
const missing = server.url === undefined ? server.why : !nginxBin ? 'nginx is not installed' : undefined;

const replicatedConfig = (extra: Record<string, string>) => configWithFreePorts({ GATEHOUSE_REPLICAS: '2', ...extra });

test('GATEHOUSE_REPLICAS=2 without DATABASE_URL → refused before anything starts, saying what to set', async (t) => {
  const config = await replicatedConfig({});
  t.teardown(() => rm(config.dataDir, { recursive: true, force: true }));
  const error = await t.throwsAsync(startStack(config, services, { info: () => {}, line: () => {} }));
  t.regex(error!.message, /GATEHOUSE_REPLICAS=2 needs DATABASE_URL/);
  t.regex(error!.message, /DATABASE_URL=postgres:\/\//);
});

test("each service's database is DATABASE_URL's name with the service's", (t) => {
  t.is(
    serviceDatabaseUrl('postgres://u:p@db:5432/gatehouse?sslmode=disable', 'github-sandbox'),
    'postgres://u:p@db:5432/gatehouse_github_sandbox?sslmode=disable',
  );
  t.is(serviceDatabaseUrl('postgres://db', 'auth'), 'postgres://db/gatehouse_auth');
});

testNeeding(missing)(
  'two replicas each → nginx spreads requests over both; a restarted or killed replica loses no GET',
  async (t) => {
    t.timeout(180_000);
    const name = `gatehouse_replicas_${randomBytes(4).toString('hex')}`;
    const url = new URL(server.url!);
    url.pathname = `/${name}`;
    // Seven service processes with small pools (and web's two LISTEN connections), counted in the test budget.
    const release = await reserveDatabaseShare(6);
    t.teardown(release);
    const config = await replicatedConfig({ DATABASE_URL: url.toString(), DATABASE_POOL_SIZE: String(POOL_SIZE) });
    const access: string[] = [];
    const report = { info: () => {}, line: (who: string, line: string) => who === 'nginx' && access.push(line) };
    const stack = await startStack(config, services, report);
    t.teardown(async () => {
      await stack.stop();
      await rm(config.dataDir, { recursive: true, force: true });
      const admin = new pg.Client({ connectionString: server.url });
      await admin.connect();
      for (const s of services.filter((e) => e.database)) {
        const db = new URL(serviceDatabaseUrl(url.toString(), s.name)).pathname.slice(1);
        await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(db)} WITH (FORCE)`);
      }
      await admin.end();
    });
    t.deepEqual(
      stack.replicas.filter((r) => r.service !== 'github-sandbox').map((r) => r.name),
      ['auth-1', 'auth-2', 'web-1', 'web-2', 'mirror-1', 'mirror-2'],
    );

    // The stand-in runs once, behind its door on its own port, which nginx owns.
    const sandbox = stack.replicas.filter((r) => r.service === 'github-sandbox');
    t.is(sandbox.length, 1);
    t.not(sandbox[0]!.port, config.servicePorts['github-sandbox']);
    const door = await fetch(`http://localhost:${config.servicePorts['github-sandbox']}/api/v3/rate_limit`, {
      headers: { 'user-agent': 'gatehouse-tests' },
    });
    t.is(door.status, 200);
    t.truthy(door.headers.get('x-github-request-id'));

    const base = `http://127.0.0.1:${config.gatewayPort}`;
    for (let i = 0; i < 6; i += 1) t.is((await fetch(`${base}/login`)).status, 200);
    const webPorts = stack.replicas.filter((r) => r.service === 'web').map((r) => `upstream=127.0.0.1:${r.port}`);
    for (const port of webPorts)
      t.true(
        access.some((line) => line.includes('/login') && line.endsWith(port)),
        port,
      );

    // GETs all the while: a rolling restart of one replica, then a SIGKILL of the other.
    const statuses: number[] = [];
    let running = true;
    const load = (async () => {
      while (running) {
        const response = await fetch(`${base}/api/auth/.well-known/jwks.json`).catch(() => undefined);
        statuses.push(response?.status ?? 0);
        await response?.body?.cancel();
      }
    })();
    await stack.restartReplica('auth-1');
    // nginx rests a replica that refused a connection for fail_timeout (5 s). Killing the other one
    // inside that window leaves no live upstream for a moment (one 502, seen under load): two
    // separate failures are what this test is about, so the kill waits for the rest to end.
    await new Promise((r) => setTimeout(r, 5500));
    const auth2 = stack.replicas.find((r) => r.name === 'auth-2')!;
    await killListener(auth2.port);
    await new Promise((r) => setTimeout(r, 2000));
    running = false;
    await load;
    t.true(statuses.length > 50, `only ${statuses.length} requests`);
    t.deepEqual(
      statuses.filter((s) => s !== 200),
      [],
    );
  },
);

/** SIGKILL to the process listening on a port (the replica), as a crash would. */
async function killListener(port: number): Promise<void> {
  const { execFileSync } = await import('node:child_process');
  const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
  const pid = /pid=(\d+)/.exec(out)?.[1];
  if (!pid) throw new Error(`nothing listens on ${port}`);
  process.kill(Number(pid), 'SIGKILL');
}
