import { createServer, type RequestListener } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { ManualClock } from '@gatehouse/service-kit';
import { captureLogs, freshDatabases, type CapturedLogs, type TestDatabase } from '@gatehouse/testkit';
import { createSandboxRuntime, sandboxConfigSchema, type SandboxRuntime } from '@gatehouse/github-sandbox';
import {
  createMirrorRuntime,
  mirrorConfigSchema,
  type MirrorConfig,
  type MirrorRuntime,
  type SourceTree,
} from '../../src/index.js';
import { TestVerifier } from './fake-verifier.js';

export const serviceSecret = 'test-service-secret-0123456789abcdef012345';
export const sandboxAdmin = 'test-admin-token-0123456789abcdef0123456789';
export const publicUrl = 'https://gatehouse.test';
export const app = {
  client_id: 'Ov23liMirrorTest0001',
  client_secret: 'test-client-secret-0123456789abcdef',
  name: 'Gatehouse',
  callback_url: `${publicUrl}/github/callback`,
};

export interface Listening {
  url: string;
  close(): Promise<void>;
}

/** A server whose handler is set after it listens (the stand-in needs its own URL in its config). */
async function listenLate(): Promise<
  Listening & { set(handler: RequestListener): void; server: ReturnType<typeof createServer> }
> {
  let handler: RequestListener = (_req, res) => res.end();
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    server,
    set: (h) => (handler = h),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Stand {
  url: string;
  api: string;
  runtime: SandboxRuntime;
  /** Adds a fault for the next `times` requests matching method and path prefix. */
  fault(body: Record<string, unknown>): Promise<void>;
  admin(path: string, body: unknown, method?: string): Promise<{ status: number; body: unknown }>;
}

export interface Harness {
  url: string;
  github: Stand;
  mirror: MirrorRuntime;
  verifier: TestVerifier;
  clock: ManualClock;
  database: TestDatabase;
  logs: CapturedLogs;
  config: MirrorConfig;
  /** Another mirror process on the same database (a replica, or the same one after a restart). */
  replica(workerId: string): Promise<MirrorRuntime>;
}

export interface HarnessOptions {
  source?: SourceTree;
  env?: Record<string, string>;
  /**
   * A real auth service (issuer https://gatehouse.test, this harness's service secret): the mirror then checks
   * tokens with @gatehouse/token-verifier against it, as in production, and `verifier` is not consulted.
   */
  authUrl?: string;
}

const tokenKeys = () => `k1:${randomBytes(32).toString('base64')}`;

export async function startHarness(t: ExecutionContext, options: HarnessOptions = {}): Promise<Harness> {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  t.teardown(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const clock = new ManualClock(Date.now());

  // The GitHub stand-in, started the way its own tests start it.
  const gh = await listenLate();
  cleanups.push(gh.close);
  // Taken together: the test kit's connection budget never lets a test wait holding half of what it needs.
  const [ghDb, database] = (await freshDatabases(2)) as [TestDatabase, TestDatabase];
  cleanups.push(
    () => ghDb.cleanup(),
    () => database.cleanup(),
  );
  const ghDir = await mkdtemp(join(tmpdir(), 'mirror-test-github-'));
  cleanups.push(() => rm(ghDir, { recursive: true, force: true }));
  const sandbox = await createSandboxRuntime(
    sandboxConfigSchema.parse({
      PUBLIC_URL: gh.url,
      DATA_DIR: ghDir,
      SANDBOX_ADMIN_TOKEN: sandboxAdmin,
      OAUTH_APPS: JSON.stringify([app]),
    }),
    { db: ghDb.db, logger: captureLogs('github-sandbox').logger, clock },
  );
  cleanups.push(() => sandbox.close());
  gh.set(sandbox.app.callback());
  const admin = async (path: string, body: unknown, method = 'POST') => {
    const res = await fetch(`${gh.url}/_sandbox${path}`, {
      method,
      headers: {
        authorization: `Bearer ${sandboxAdmin}`,
        'content-type': 'application/json',
        'user-agent': 'mirror-tests',
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  };
  const github: Stand = {
    url: gh.url,
    api: `${gh.url}/api/v3`,
    runtime: sandbox,
    admin,
    async fault(body) {
      const res = await admin('/faults', body);
      if (res.status !== 201) throw new Error(`fault refused: ${JSON.stringify(res.body)}`);
    },
  };

  const dataDir = await mkdtemp(join(tmpdir(), 'mirror-test-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const config = mirrorConfigSchema.parse({
    PUBLIC_URL: publicUrl,
    SERVICE_SECRET: serviceSecret,
    DATA_DIR: dataDir,
    GITHUB_CLIENT_ID: app.client_id,
    GITHUB_CLIENT_SECRET: app.client_secret,
    GITHUB_OAUTH_URL: gh.url,
    GITHUB_API_URL: `${gh.url}/api/v3`,
    GITHUB_TOKEN_KEYS: tokenKeys(),
    // Above what a loaded test machine needs, below the slow fault's delay.
    GITHUB_TIMEOUT_MS: '8000',
    ...(options.authUrl ? { AUTH_URL: options.authUrl } : {}),
    ...options.env,
  });
  const logs = captureLogs('mirror');
  const verifier = new TestVerifier();
  const boot = async (workerId: string) => {
    const runtime = await createMirrorRuntime(config, {
      db: database.db,
      logger: logs.logger,
      clock,
      ...(options.authUrl ? {} : { verifier }),
      workerId,
      manualWorker: true,
      ...(options.source ? { source: options.source } : {}),
    });
    cleanups.push(() => runtime.close());
    return runtime;
  };
  const mirror = await boot('worker-1');
  const server = await listenLate();
  server.set(mirror.app.callback());
  server.server.on('upgrade', (req, socket, head) => void mirror.events.handleUpgrade(req, socket, head));
  cleanups.push(server.close);
  return { url: server.url, github, mirror, verifier, clock, database, logs, config, replica: boot };
}

/** JSON over real HTTP. */
export async function call(
  url: string,
  init: { method?: string; token?: string; json?: unknown; basic?: string } = {},
) {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.basic) headers.authorization = `Basic ${Buffer.from(init.basic).toString('base64')}`;
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers,
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: body as Record<string, unknown>, headers: res.headers };
}

export const internal = `web:${serviceSecret}`;
