// The web benchmark as a function: `npm run bench:web` prints it, `npm run
// bench` takes the /account rate for the footprint table.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { sessionCookieName } from '@gatehouse/web';
import { adminQuery, confirmedBenchUser, databaseUrl } from './databases.js';
import { combineRounds, load, type LoadResult } from './load.js';
import { startProcess, type Spawned } from './processes.js';

export interface WebBenchOptions {
  /** A Postgres server the bench may create databases on. */
  adminUrl: string;
  /** Adds a run with Redis sessions. */
  redisUrl?: string;
  seconds: number;
  concurrency: number;
}

export interface WebBench {
  bare: LoadResult;
  account: LoadResult;
  home: LoadResult;
  me: LoadResult;
  redisAccount: LoadResult | undefined;
  /** The markdown rows `bench:web` prints: measure, ratio, numbers. */
  rows: string[];
}

export async function benchWeb({ adminUrl, redisUrl, seconds, concurrency }: WebBenchOptions): Promise<WebBench> {
  const suffix = randomBytes(4).toString('hex');
  const dbNames = { auth: `gatehouse_bench_auth_${suffix}`, web: `gatehouse_bench_web_${suffix}` };
  const admin = (sql: string) => adminQuery(adminUrl, sql);
  const dbUrl = (name: string) => databaseUrl(adminUrl, name);
  for (const name of Object.values(dbNames)) await admin(`CREATE DATABASE ${name}`);

  const ports = { web: 3960, auth: 3961, bare: 3962, webRedis: 3963 };
  const at = (port: number) => `http://127.0.0.1:${port}`;
  const fmt = (r: LoadResult) =>
    `${r.perSecond.toFixed(0)} req/s (p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms, ${r.requests} requests)`;
  const running: Spawned[] = [];

  try {
    const sessionSecret = randomBytes(32).toString('hex');
    const serviceSecret = randomBytes(32).toString('hex');
    const redisPrefix = `gatehouse-bench-${suffix}:`;
    running.push(
      await startProcess(
        'services/auth/src/server.ts',
        {
          PORT: String(ports.auth),
          HOST: '127.0.0.1',
          DATABASE_URL: dbUrl(dbNames.auth),
          DATA_DIR: join('/tmp', dbNames.auth),
          PUBLIC_URL: at(ports.web),
          PASSWORD_PEPPER: randomBytes(32).toString('hex'),
          SERVICE_SECRET: serviceSecret,
          BCRYPT_COST: '10',
          MAIL_WORKER: 'false',
          // With Redis, auth publishes revocations there for the web run with Redis sessions.
          ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_PREFIX: redisPrefix } : {}),
        },
        `${at(ports.auth)}/readyz`,
      ),
    );
    const webEnv = (port: number, sessions: Record<string, string>) => ({
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: at(port),
      AUTH_URL: at(ports.auth),
      SESSION_SECRET: sessionSecret,
      SERVICE_SECRET: serviceSecret,
      // Both web runs check auth's issuer (auth's PUBLIC_URL), whatever their own URL.
      JWT_ISSUER: at(ports.web),
      ...sessions,
    });
    running.push(
      await startProcess(
        'services/web/src/server.ts',
        webEnv(ports.web, { DATABASE_URL: dbUrl(dbNames.web) }),
        `${at(ports.web)}/readyz`,
      ),
    );
    if (redisUrl) {
      running.push(
        await startProcess(
          'services/web/src/server.ts',
          webEnv(ports.webRedis, { REDIS_URL: redisUrl, AUTH_REDIS_PREFIX: redisPrefix }),
          `${at(ports.webRedis)}/readyz`,
        ),
      );
    }
    running.push(
      await startProcess('bench/lib/bare-koa-page.ts', { PORT: String(ports.bare) }, `${at(ports.bare)}/ready`),
    );

    // One confirmed account (confirmed in the database: the bench has no mail catcher).
    const user = { username: 'bench0', email: 'bench0@example.com', password: 'bench passphrase zero ok' };
    await confirmedBenchUser(at(ports.auth), dbUrl(dbNames.auth), user);

    /** Logs in through the pages like a browser and returns the session cookie. */
    const loginCookie = async (base: string): Promise<string> => {
      const form = await fetch(`${base}/login`);
      const cookie = form.headers.getSetCookie()[0]!.split(';')[0]!;
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
      const res = await fetch(`${base}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, 'sec-fetch-site': 'same-origin' },
        body: new URLSearchParams({ _csrf: csrf, identifier: user.username, password: user.password }).toString(),
      });
      if (res.status !== 303) throw new Error(`login: ${res.status}`);
      // Login also sets the device cookie: take the session's by its name.
      const session = res.headers
        .getSetCookie()
        .map((c) => c.split(';')[0]!)
        .find((c) => c.startsWith(`${sessionCookieName(base)}=`));
      if (!session) throw new Error('login set no session cookie');
      return session;
    };

    const token = (await (
      await fetch(`${at(ports.auth)}/v1/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'password', username: user.username, password: user.password }),
      })
    ).json()) as { access_token: string };
    const cookie = await loginCookie(at(ports.web));
    const targets = {
      bare: { base: at(ports.bare), path: '/', headers: {} },
      account: { base: at(ports.web), path: '/account', headers: { cookie } },
      // Where the time goes: the same session on the lighter home page, and auth's /v1/me on its own.
      home: { base: at(ports.web), path: '/', headers: { cookie } },
      me: { base: at(ports.auth), path: '/v1/me', headers: { authorization: `Bearer ${token.access_token}` } },
      ...(redisUrl
        ? {
            redisAccount: {
              base: at(ports.webRedis),
              path: '/account',
              headers: { cookie: await loginCookie(at(ports.webRedis)) },
            },
          }
        : {}),
    };
    // The machine is shared: the pages take turns in short rounds, so drift in the background load hits all alike.
    const rounds = 3;
    const results = new Map<string, LoadResult[]>();
    for (let round = 0; round < rounds; round += 1) {
      for (const [name, { base, path, headers }] of Object.entries(targets)) {
        const call = () => ({ method: 'GET', path, headers });
        if (round === 0) await load({ base, concurrency, seconds: 1, next: call, ok: (s) => s === 200 });
        const result = await load({ base, concurrency, seconds: seconds / rounds, next: call, ok: (s) => s === 200 });
        // A figure of requests that all failed (a lost session, say) must not reach the table.
        const bad = Object.entries(result.statuses).filter(([status]) => status !== '200');
        if (bad.length) throw new Error(`${path} answered ${JSON.stringify(result.statuses)}, not only 200`);
        results.set(name, [...(results.get(name) ?? []), result]);
      }
    }
    const total = (name: string) => combineRounds(results.get(name)!);
    const [bare, account, home, me] = [total('bare'), total('account'), total('home'), total('me')];
    const redisAccount = redisUrl ? total('redisAccount') : undefined;
    console.log(`bare Koa + same template: ${fmt(bare)}`);
    console.log(`/account, Postgres sessions: ${fmt(account)}`);
    console.log(`breakdown: / signed in (session, token check, the lighter home template): ${fmt(home)}`);
    console.log(`breakdown: auth /v1/me alone: ${fmt(me)}`);
    if (redisAccount) console.log(`/account, Redis sessions: ${fmt(redisAccount)}`);
    const row = (label: string, r: LoadResult) =>
      `| ${label} / bare Koa page | ${(r.perSecond / bare.perSecond).toFixed(2)} | ${r.perSecond.toFixed(0)} vs ${bare.perSecond.toFixed(0)} req/s |`;
    const rows = [row('/account (Postgres sessions)', account)];
    if (redisAccount) rows.push(row('/account (Redis sessions)', redisAccount));
    return { bare, account, home, me, redisAccount, rows };
  } finally {
    for (const process of running.reverse()) await process.stop();
    for (const name of Object.values(dbNames)) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}
