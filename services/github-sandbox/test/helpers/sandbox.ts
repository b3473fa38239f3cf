import { createServer, type RequestListener } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { loadConfig, type Clock } from '@gatehouse/service-kit';
import { captureLogs, type CapturedLogs } from '@gatehouse/testkit';
import { freshSchema } from './fresh-schema.js';
import { createSandboxRuntime, sandboxConfigSchema, type SandboxRuntime } from '../../src/index.js';

export const adminToken = 'test-admin-token-0123456789abcdef0123456789';
export const client = {
  client_id: 'Ov23liTestClient0001',
  client_secret: 'test-client-secret-0123456789abcdef',
  name: 'Test App',
  callback_url: 'http://app.test/github/callback',
};
export const otherClient = {
  ...client,
  client_id: 'Ov23liOtherClient002',
  name: 'Other App',
  callback_url: 'http://other.test/cb',
};

export interface Sandbox {
  url: string;
  api: string;
  runtime: SandboxRuntime;
  logs: CapturedLogs;
  dataDir: string;
}

export interface SandboxOptions {
  env?: Record<string, string>;
  clock?: Clock;
}

/** One stand-in per test: its own database, data directory and logs; PUBLIC_URL is its real address. */
export async function startSandbox(t: ExecutionContext, options: SandboxOptions = {}): Promise<Sandbox> {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  t.teardown(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  let handler: RequestListener = (_req, res) => res.end();
  const server = createServer((req, res) => handler(req, res));
  // Longer than the client's idle sockets live, so a reused socket is never one the server is closing.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const database = await freshSchema();
  cleanups.push(() => database.cleanup());
  const dataDir = await mkdtemp(join(tmpdir(), 'github-sandbox-test-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const config = loadConfig(sandboxConfigSchema, {
    PUBLIC_URL: url,
    DATA_DIR: dataDir,
    SANDBOX_ADMIN_TOKEN: adminToken,
    OAUTH_APPS: JSON.stringify([client, otherClient]),
    ...options.env,
  });
  const logs = captureLogs('github-sandbox');
  const runtime = await createSandboxRuntime(config, {
    db: database.db,
    logger: logs.logger,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  cleanups.push(() => runtime.close());
  handler = runtime.app.callback();
  return { url, api: `${url}/api/v3`, runtime, logs, dataDir };
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

/** A request as a GitHub client sends it (User-Agent included unless the test removes it). */
export async function call(url: string, init: RequestInit & { json?: unknown } = {}): Promise<Reply> {
  const headers = new Headers(init.headers);
  if (!headers.has('user-agent')) headers.set('user-agent', 'gatehouse-tests');
  if (init.json !== undefined) headers.set('content-type', 'application/json');
  const res = await fetch(url, {
    ...init,
    headers,
    redirect: 'manual',
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  }).catch((err: unknown) => {
    throw new Error(`${init.method ?? 'GET'} ${url} failed: ${String((err as Error).cause ?? err)}`, { cause: err });
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (form answers, pages, plain text): the text is the body.
  }
  return { status: res.status, headers: res.headers, text, body };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
export const admin = { authorization: `Bearer ${adminToken}` };

/** A token for `login` from the admin hook, the quick way other services' tests get one. */
export async function tokenFor(
  sandbox: Sandbox,
  login: string,
  scope: string,
  clientId = client.client_id,
): Promise<string> {
  const res = await call(`${sandbox.url}/_sandbox/oauth/tokens`, {
    method: 'POST',
    headers: admin,
    json: { client_id: clientId, login, scope },
  });
  if (res.status !== 201) throw new Error(`token hook failed: ${res.status} ${res.text}`);
  return (res.body as { access_token: string }).access_token;
}
