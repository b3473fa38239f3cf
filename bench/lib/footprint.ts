// Resident memory of each service: after start-up, and again after 10,000
// requests, read from /proc/<pid>/status. Each service runs on Postgres and
// Redis, as on Kubernetes, started either with the local run's command (this
// Node, tsx, from source) or as the images start it (compiled dist/server.js,
// NODE_ENV=production; needs `npm run build` and the web assets built).
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { adminQuery, confirmedBenchUser, databaseUrl } from './databases.js';
import { send, type Call } from './load.js';
import { startProcess, type Spawned } from './processes.js';

export interface Footprint {
  service: string;
  startedMb: number;
  afterMb: number;
  requests: number;
  /** Replies by status over the requests. */
  statuses: Record<number, number>;
}

export type StartMode = 'source' | 'compiled';

export interface FootprintOptions {
  /** A Postgres server the bench may create databases on. */
  adminUrl: string;
  redisUrl?: string;
  requests: number;
  mode: StartMode;
}

/** Why a mode cannot be measured here, or undefined when it can. */
export async function missingBuild(mode: StartMode): Promise<string | undefined> {
  if (mode === 'source') return undefined;
  for (const path of [
    'services/auth/dist/server.js',
    'services/web/dist/server.js',
    'services/mirror/dist/server.js',
    'services/web/dist/assets/manifest.json',
  ]) {
    try {
      await readFile(path);
    } catch {
      return `${path} is missing (npm run build; npm run build:assets --workspaces --if-present)`;
    }
  }
  return undefined;
}

/** VmRSS of a process, in MB (10^6 bytes). */
export async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  if (!kb) throw new Error(`no VmRSS for process ${pid}`);
  return (Number(kb) * 1024) / 1e6;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 3000));

/** Sends `count` requests over `concurrency` keep-alive connections, taking turns through `calls`. */
async function sendMany(base: string, calls: Call[], count: number, concurrency = 16) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const url = new URL(base);
  const statuses: Record<number, number> = {};
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const call = calls[next++ % calls.length]!;
        const { status } = await send(agent, url, call).catch(() => ({ status: 0 }));
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  agent.destroy();
  return statuses;
}

export async function measureFootprint({ adminUrl, redisUrl, requests, mode }: FootprintOptions): Promise<Footprint[]> {
  const suffix = randomBytes(4).toString('hex');
  const names = ['auth', 'web', 'mirror'].map((s) => [s, `gatehouse_bench_rss_${s}_${mode}_${suffix}`] as const);
  const dbNames = Object.fromEntries(names) as Record<'auth' | 'web' | 'mirror', string>;
  for (const [, name] of names) await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  const ports = { web: 3990, auth: 3991, mirror: 3992 };
  const at = (port: number) => `http://127.0.0.1:${port}`;
  const serviceSecret = randomBytes(32).toString('hex');
  const redisPrefix = `gatehouse-bench-rss-${suffix}:`;
  const common = (service: keyof typeof ports) => ({
    PORT: String(ports[service]),
    HOST: '127.0.0.1',
    PUBLIC_URL: at(ports.web),
    DATABASE_URL: databaseUrl(adminUrl, dbNames[service]),
    DATA_DIR: join('/tmp', dbNames[service]),
    SERVICE_SECRET: serviceSecret,
  });
  const running: { service: keyof typeof ports; process: Spawned }[] = [];
  try {
    const start = async (service: keyof typeof ports, env: Record<string, string>) => {
      const process =
        mode === 'source'
          ? await startProcess(
              `services/${service}/src/server.ts`,
              { ...common(service), ...env },
              `${at(ports[service])}/readyz`,
            )
          : await startProcess(
              `services/${service}/dist/server.js`,
              { ...common(service), ...env, NODE_ENV: 'production' },
              `${at(ports[service])}/readyz`,
              [],
            );
      running.push({ service, process });
    };
    await start('auth', {
      PASSWORD_PEPPER: randomBytes(32).toString('hex'),
      MAIL_WORKER: 'false',
      ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_PREFIX: redisPrefix } : {}),
    });
    await start('mirror', {
      AUTH_URL: at(ports.auth),
      GITHUB_CLIENT_ID: 'Ov23liBenchFootprint',
      GITHUB_CLIENT_SECRET: randomBytes(16).toString('hex'),
      GITHUB_TOKEN_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    });
    await start('web', {
      AUTH_URL: at(ports.auth),
      MIRROR_URL: at(ports.mirror),
      SESSION_SECRET: randomBytes(32).toString('hex'),
      ...(redisUrl ? { REDIS_URL: redisUrl, AUTH_REDIS_PREFIX: redisPrefix } : {}),
    });
    await settle();
    const started = new Map<string, number>();
    for (const { service, process } of running) started.set(service, await rssMb(process.child.pid!));

    const user = { username: 'benchrss', email: 'benchrss@example.com', password: 'bench passphrase footprint ok' };
    await confirmedBenchUser(at(ports.auth), databaseUrl(adminUrl, dbNames.auth), user);
    const login = await fetch(`${at(ports.auth)}/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'password', username: user.username, password: user.password }),
    });
    const { access_token: token } = (await login.json()) as { access_token: string };
    const bearer = { authorization: `Bearer ${token}` };
    // Half to /healthz, half to an endpoint that does the service's real work.
    const calls: Record<keyof typeof ports, Call[]> = {
      auth: [
        { method: 'GET', path: '/healthz' },
        { method: 'GET', path: '/v1/me', headers: bearer },
      ],
      mirror: [
        { method: 'GET', path: '/healthz' },
        { method: 'GET', path: '/v1/mirrors', headers: bearer },
      ],
      web: [
        { method: 'GET', path: '/healthz' },
        { method: 'GET', path: '/login' },
      ],
    };
    const statuses = new Map<string, Record<number, number>>();
    for (const { service } of running)
      statuses.set(service, await sendMany(at(ports[service]), calls[service], requests));
    await settle();
    const results: Footprint[] = [];
    for (const { service, process } of running) {
      results.push({
        service,
        startedMb: started.get(service)!,
        afterMb: await rssMb(process.child.pid!),
        requests,
        statuses: statuses.get(service)!,
      });
    }
    return results.sort((a, b) => a.service.localeCompare(b.service));
  } finally {
    for (const { process } of running.reverse()) await process.stop();
    for (const [, name] of names) await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}
