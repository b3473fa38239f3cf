// The token-verifier benchmark as a function: `npm run bench:verifier` prints
// it, `npm run bench` takes the token checks per second for the footprint table.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminQuery, confirmedBenchUser, databaseUrl } from './databases.js';
import { load, type LoadResult } from './load.js';
import { startProcess, type Spawned } from './processes.js';

const logouts = 200;

export interface VerifierBenchOptions {
  /** A Postgres server the bench may create a database on. */
  adminUrl: string;
  /** Adds the Redis transport. */
  redisUrl?: string;
  seconds: number;
  concurrency: number;
}

export interface VerifierBench {
  /** jsonwebtoken.verify alone, req/s. */
  baseline: number;
  /** verifier.verify in a Koa route, req/s, by revocation transport (stream, redis). */
  verified: Record<string, number>;
  /** The markdown rows `bench:verifier` prints: measure, result, numbers. */
  rows: string[];
}

export async function benchVerifier({
  adminUrl,
  redisUrl,
  seconds,
  concurrency,
}: VerifierBenchOptions): Promise<VerifierBench> {
  const suffix = randomBytes(4).toString('hex');
  const dbName = `gatehouse_bench_verifier_${suffix}`;
  const admin = (sql: string) => adminQuery(adminUrl, sql);
  const dbUrl = databaseUrl(adminUrl, dbName);
  await admin(`CREATE DATABASE ${dbName}`);

  const ports = { auth: 3971, routes: 3972 };
  const at = (port: number) => `http://127.0.0.1:${port}`;
  const fmt = (r: LoadResult) =>
    `${r.perSecond.toFixed(0)} req/s (p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ${r.requests} requests)`;
  const running: Spawned[] = [];

  try {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyFile = join('/tmp', `${dbName}.pub.pem`);
    writeFileSync(keyFile, publicKey.export({ format: 'pem', type: 'spki' }));
    const serviceSecret = randomBytes(32).toString('hex');
    const redisPrefix = `gatehouse-bench-${suffix}:`;
    const issuer = 'http://bench.gatehouse.test';
    running.push(
      await startProcess(
        'services/auth/src/server.ts',
        {
          PORT: String(ports.auth),
          HOST: '127.0.0.1',
          DATABASE_URL: dbUrl,
          DATA_DIR: join('/tmp', dbName),
          PUBLIC_URL: issuer,
          JWT_PRIVATE_KEY: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
          PASSWORD_PEPPER: randomBytes(32).toString('hex'),
          SERVICE_SECRET: serviceSecret,
          BCRYPT_COST: '4',
          MAIL_WORKER: 'false',
          ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_PREFIX: redisPrefix } : {}),
        },
        `${at(ports.auth)}/readyz`,
      ),
    );
    running.push(
      await startProcess(
        'bench/lib/verifier-routes-server.ts',
        {
          PORT: String(ports.routes),
          KEY_FILE: keyFile,
          AUTH_URL: at(ports.auth),
          ISSUER: issuer,
          SERVICE_SECRET: serviceSecret,
          ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_PREFIX: redisPrefix } : { REDIS_URL: '' }),
        },
        `${at(ports.routes)}/ready`,
      ),
    );

    const user = { username: 'benchv', email: 'benchv@example.com', password: 'bench passphrase verifier ok' };
    await confirmedBenchUser(at(ports.auth), dbUrl, user);
    const login = async () => {
      const res = await fetch(`${at(ports.auth)}/v1/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'password', username: user.username, password: user.password }),
      });
      if (res.status !== 200) throw new Error(`login: ${res.status}`);
      return ((await res.json()) as { access_token: string }).access_token;
    };

    // 1. Throughput.
    const token = await login();
    const rounds = 4;
    const measure = async (path: string) => {
      const call = () => ({ method: 'GET', path, headers: { authorization: `Bearer ${token}` } });
      await load({ base: at(ports.routes), concurrency, seconds: 1, next: call, ok: (s) => s === 200 });
      return load({ base: at(ports.routes), concurrency, seconds: seconds / rounds, next: call, ok: (s) => s === 200 });
    };
    const transports = redisUrl ? ['stream', 'redis'] : ['stream'];
    // The machine is shared: routes take turns in short rounds, so drift in the background load hits all alike.
    const totals = new Map<string, LoadResult[]>();
    for (let round = 0; round < rounds; round += 1) {
      for (const path of ['/jwt', ...transports.map((t) => `/${t}`), '/remembered']) {
        const result = await measure(path);
        totals.set(path, [...(totals.get(path) ?? []), result]);
      }
    }
    const perSecond = (path: string) => {
      const results = totals.get(path)!;
      return (
        results.reduce((sum, r) => sum + r.perSecond * r.seconds, 0) / results.reduce((sum, r) => sum + r.seconds, 0)
      );
    };
    const baseline = perSecond('/jwt');
    console.log(
      `jsonwebtoken.verify only (RS256, parsed key): ${baseline.toFixed(0)} req/s; rounds: ${totals.get('/jwt')!.map(fmt).join('; ')}`,
    );
    const rows: string[] = [];
    const verified: Record<string, number> = {};
    for (const transport of transports) {
      const result = perSecond(`/${transport}`);
      verified[transport] = result;
      console.log(
        `verifier.verify (${transport} feed): ${result.toFixed(0)} req/s; rounds: ${totals.get(`/${transport}`)!.map(fmt).join('; ')}`,
      );
      rows.push(
        `| verify throughput, ${transport} feed / jsonwebtoken only | ${(result / baseline).toFixed(2)} | ${result.toFixed(0)} vs ${baseline.toFixed(0)} req/s |`,
      );
    }
    const remembered = perSecond('/remembered');
    console.log(
      `verifier.verify, the same token again (check remembered, stream feed): ${remembered.toFixed(0)} req/s`,
    );
    rows.push(
      `| verify throughput, a token seen before (check remembered) / jsonwebtoken only | ${(remembered / baseline).toFixed(2)} | ${remembered.toFixed(0)} vs ${baseline.toFixed(0)} req/s |`,
    );

    // 2. Revocation latency: logout answered → the other process refuses the token.
    for (const transport of transports) {
      const tokens: string[] = [];
      for (let i = 0; i < logouts; i += 1) tokens.push(await login());
      const latencies: number[] = [];
      for (const revoked of tokens) {
        const headers = { authorization: `Bearer ${revoked}` };
        if ((await fetch(`${at(ports.routes)}/${transport}`, { headers })).status !== 200)
          throw new Error('token refused before logout');
        const out = await fetch(`${at(ports.auth)}/v1/logout`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: '{}',
        });
        const t0 = performance.now();
        if (out.status !== 204) throw new Error(`logout: ${out.status}`);
        while ((await fetch(`${at(ports.routes)}/${transport}`, { headers })).status === 200) {
          if (performance.now() - t0 > 5000) throw new Error('revocation not seen within 5 s');
        }
        latencies.push(performance.now() - t0);
      }
      latencies.sort((a, b) => a - b);
      const pick = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
      const label = transport === 'redis' ? 'Redis pub/sub' : 'SSE stream from auth (no Redis)';
      console.log(
        `revocation latency, ${label}: p50 ${pick(0.5).toFixed(2)} ms, p99 ${pick(0.99).toFixed(2)} ms, max ${latencies.at(-1)!.toFixed(2)} ms over ${logouts} logouts`,
      );
      rows.push(
        `| revocation latency, ${label} | p50 ${pick(0.5).toFixed(1)} ms, p99 ${pick(0.99).toFixed(1)} ms | ${logouts} logouts |`,
      );
    }
    return { baseline, verified, rows };
  } finally {
    for (const process of running.reverse()) await process.stop();
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  }
}
