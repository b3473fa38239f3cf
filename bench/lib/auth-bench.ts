// The auth service benchmark as a function: `npm run bench:auth` prints it,
// `npm run bench` takes its figures for the footprint table.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { HashPool } from '../../services/auth/src/passwords/hash-pool.js';
import { json, load, type LoadResult } from './load.js';
import { startProcess } from './processes.js';

export interface AuthBenchOptions {
  /** A Postgres server the bench may create a database on. */
  adminUrl: string;
  seconds: number;
  cost: number;
  threads: number;
}

export interface AuthBench {
  /** bcrypt compares/s alone, same cost and threads. */
  ceiling: number;
  logins: LoadResult;
  healthP99Ms: number;
  lagP99Ms: number;
  verifyOnly: LoadResult;
  me: LoadResult;
  refreshes: LoadResult;
  /** The markdown rows `bench:auth` prints: measure, result, target, met. */
  rows: string[];
}

export async function benchAuth({ adminUrl, seconds, cost, threads }: AuthBenchOptions): Promise<AuthBench> {
  const dbName = `gatehouse_bench_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client(adminUrl);
    await client.connect();
    await client.query(sql);
    await client.end();
  };
  await admin(`CREATE DATABASE ${dbName}`);
  const dbUrl = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString();
  const dataDir = join('/tmp', dbName);
  const port = 3950;
  const base = `http://127.0.0.1:${port}`;
  const issuer = 'http://bench.gatehouse.test';

  const rows: string[] = [];
  const report = (name: string, value: string, target: string, pass: boolean) => {
    rows.push(`| ${name} | ${value} | ${target} | ${pass ? 'met' : 'NOT met'} |`);
  };
  const fmt = (r: LoadResult) =>
    `${r.perSecond.toFixed(1)}/s (p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms)`;

  // 1. The ceiling: bcrypt alone, same cost, same thread count, nothing else running.
  const pool = new HashPool(threads);
  const hash = (await pool.run({ op: 'hash', input: 'x', cost })) as string;
  let ceilingOps = 0;
  const ceilingStart = performance.now();
  await Promise.all(
    Array.from({ length: threads * 2 }, async () => {
      while (performance.now() - ceilingStart < seconds * 1000) {
        await pool.run({ op: 'compare', input: 'x', hash });
        ceilingOps++;
      }
    }),
  );
  const ceiling = ceilingOps / ((performance.now() - ceilingStart) / 1000);
  await pool.close();
  console.log(`bcrypt-only ceiling: ${ceiling.toFixed(2)} compares/s`);

  const auth = await startProcess(
    'services/auth/src/server.ts',
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: dbUrl,
      DATA_DIR: dataDir,
      PUBLIC_URL: issuer,
      PASSWORD_PEPPER: randomBytes(32).toString('hex'),
      SERVICE_SECRET: randomBytes(32).toString('hex'),
      BCRYPT_COST: String(cost),
      HASH_WORKERS: String(threads),
      MAIL_WORKER: 'false',
    },
    `${base}/readyz`,
  );

  try {
    // Accounts: signed up through the API, confirmed directly (no mail in a bench).
    const users = Array.from({ length: 16 }, (_, i) => ({
      username: `bench${i}`,
      email: `bench${i}@example.com`,
      password: `bench passphrase ${i} ok`,
    }));
    await Promise.all(
      users.map((u) =>
        fetch(`${base}/v1/signup`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(u),
        }),
      ),
    );
    {
      const client = new pg.Client(dbUrl);
      await client.connect();
      await client.query('UPDATE users SET email_verified_at = now()');
      await client.end();
    }

    // 2. Login storm, with /healthz sampled alongside for event-loop stalls.
    const healthLatencies: number[] = [];
    let storming = true;
    const sampler = (async () => {
      while (storming) {
        const t0 = performance.now();
        await fetch(`${base}/healthz`);
        healthLatencies.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const logins = await load({
      base,
      concurrency: threads * 4,
      seconds,
      next: (c) =>
        json('POST', '/v1/token', {
          grant_type: 'password',
          username: users[c % users.length]!.username,
          password: users[c % users.length]!.password,
        }),
    });
    storming = false;
    await sampler;
    healthLatencies.sort((a, b) => a - b);
    const healthP99 = healthLatencies[Math.floor(healthLatencies.length * 0.99)] ?? 0;
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const lagP99 = Number(/nodejs_eventloop_lag_p99_seconds\{[^}]*\} ([\d.e-]+)/.exec(metrics)?.[1] ?? NaN) * 1000;
    console.log(`logins: ${fmt(logins)}`, logins.statuses);
    report(
      'password-grant logins / bcrypt-only ceiling',
      `${(logins.perSecond / ceiling).toFixed(2)} (${logins.perSecond.toFixed(2)}/s vs ${ceiling.toFixed(2)}/s)`,
      '≥ 0.9',
      logins.perSecond / ceiling >= 0.9,
    );
    report(
      '/healthz p99 during the login storm',
      `${healthP99.toFixed(1)} ms (event-loop lag p99 ${lagP99.toFixed(1)} ms)`,
      '< 50 ms',
      healthP99 < 50,
    );

    // Sessions for the token phases.
    const sessions = await Promise.all(
      Array.from({ length: 32 }, async (_, i) => {
        const u = users[i % users.length]!;
        const res = await fetch(`${base}/v1/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ grant_type: 'password', username: u.username, password: u.password }),
        });
        return (await res.json()) as { access_token: string; refresh_token: string };
      }),
    );

    // 3. /v1/me against a bare endpoint that only verifies the same token with the same key.
    const verifyPort = port + 1;
    const verifyOnly = await startProcess(
      'bench/lib/verify-only-server.ts',
      { PORT: String(verifyPort), KEY_FILE: join(dataDir, 'keys', 'signing-key.pem'), ISSUER: issuer },
      `http://127.0.0.1:${verifyPort}/ready`,
    );
    const token = sessions[0]!.access_token;
    const bearerCall = (path: string) => () => ({ method: 'GET', path, headers: { authorization: `Bearer ${token}` } });
    const baseline = await load({
      base: `http://127.0.0.1:${verifyPort}`,
      concurrency: 32,
      seconds,
      next: bearerCall('/'),
    });
    await verifyOnly.stop();
    const me = await load({ base, concurrency: 32, seconds, next: bearerCall('/v1/me') });
    console.log(`verify-only: ${fmt(baseline)}`, baseline.statuses);
    console.log(`/v1/me: ${fmt(me)}`, me.statuses);
    report(
      '/v1/me / verify-only endpoint',
      `${(me.perSecond / baseline.perSecond).toFixed(2)} (${me.perSecond.toFixed(0)}/s vs ${baseline.perSecond.toFixed(0)}/s)`,
      '≥ 0.5',
      me.perSecond / baseline.perSecond >= 0.5,
    );

    // 4. Refresh grants: each client follows its own rotation chain.
    const chains = sessions.map((s) => s.refresh_token);
    const refreshes = await load({
      base,
      concurrency: 32,
      seconds,
      next: (c) => json('POST', '/v1/token', { grant_type: 'refresh_token', refresh_token: chains[c]! }),
      onReply: (c, status, body) => {
        if (status === 200) chains[c] = (JSON.parse(body) as { refresh_token: string }).refresh_token;
      },
    });
    console.log(`refresh: ${fmt(refreshes)}`, refreshes.statuses);
    report(
      'refresh grants per second',
      `${refreshes.perSecond.toFixed(0)}/s`,
      '≥ 1,000/s',
      refreshes.perSecond >= 1000,
    );
    return {
      ceiling,
      logins,
      healthP99Ms: healthP99,
      lagP99Ms: lagP99,
      verifyOnly: baseline,
      me,
      refreshes,
      rows,
    };
  } finally {
    await auth.stop();
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  }
}
