import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { createSandboxRuntime, sandboxConfigSchema, type SandboxRuntime } from '@gatehouse/github-sandbox';
import { createMirrorRuntime, mirrorConfigSchema, type MirrorRuntime } from '@gatehouse/mirror';
import { captureLogs, freshDatabases, listenLate, postgresServer, type TestDatabase } from '@gatehouse/testkit';

const postgres = await postgresServer();
/**
 * Why a GitHub-stack test cannot run here, if it cannot: the stack is four services with a database each, and
 * on embedded PGlite that is four WASM Postgres boots per test, past any sensible test time on a small machine.
 */
export const githubStackMissing =
  postgres.url === undefined
    ? `the GitHub stack (auth, web, mirror, stand-in) needs a Postgres server: ${postgres.why}`
    : undefined;
import { startStack, type Stack, type StackOptions } from './stack.js';

export const serviceSecret = 'test-service-secret-0123456789abcdef012345';
const sandboxAdmin = 'test-admin-token-0123456789abcdef0123456789';
const oauthApp = {
  client_id: 'Ov23liWebTest00001',
  client_secret: 'test-client-secret-0123456789abcdef',
  name: 'Gatehouse',
};

export interface GithubStack extends Stack {
  /** The GitHub stand-in's base URL (OAuth pages and git), and its REST base. */
  github: {
    url: string;
    api: string;
    runtime: SandboxRuntime;
    admin(path: string, body: unknown): Promise<{ status: number; body: unknown }>;
  };
  mirror: MirrorRuntime;
  /** Runs queued mirror jobs to the end (the worker is driven by the test). */
  drain(): Promise<void>;
}

/** Auth, web, the mirror service and the GitHub stand-in, wired as in production, on real Postgres and real git. */
export async function startGithubStack(t: ExecutionContext, options: StackOptions = {}): Promise<GithubStack> {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  t.teardown(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const gh = await listenLate();
  cleanups.push(gh.close);
  const mirrorServer = await listenLate();
  cleanups.push(mirrorServer.close);

  // All four databases at once (auth, web unless Redis holds the sessions, the stand-in, the mirror).
  const databases = await freshDatabases(options.redis ? 3 : 4);
  const [ghDb, mirrorDb] = databases.splice(-2) as [TestDatabase, TestDatabase];
  cleanups.push(
    () => ghDb.cleanup(),
    () => mirrorDb.cleanup(),
  );
  const stack = await startStack(t, {
    ...options,
    databases,
    webEnv: {
      MIRROR_URL: mirrorServer.url,
      SERVICE_SECRET: serviceSecret,
      GITHUB_OAUTH_URL: gh.url,
      ...options.webEnv,
    },
  });

  const ghDir = await mkdtemp(join(tmpdir(), 'web-test-github-'));
  cleanups.push(() => rm(ghDir, { recursive: true, force: true }));
  const sandbox = await createSandboxRuntime(
    sandboxConfigSchema.parse({
      PUBLIC_URL: gh.url,
      DATA_DIR: ghDir,
      SANDBOX_ADMIN_TOKEN: sandboxAdmin,
      OAUTH_APPS: JSON.stringify([{ ...oauthApp, callback_url: `${stack.url}/github/callback` }]),
    }),
    { db: ghDb.db, logger: captureLogs('github-sandbox').logger },
  );
  cleanups.push(() => sandbox.close());
  gh.set(sandbox.app.callback());

  const mirrorDir = await mkdtemp(join(tmpdir(), 'web-test-mirror-'));
  cleanups.push(() => rm(mirrorDir, { recursive: true, force: true }));
  const mirror = await createMirrorRuntime(
    mirrorConfigSchema.parse({
      PUBLIC_URL: stack.url,
      SERVICE_SECRET: serviceSecret,
      DATA_DIR: mirrorDir,
      AUTH_URL: stack.authUrl,
      GITHUB_CLIENT_ID: oauthApp.client_id,
      GITHUB_CLIENT_SECRET: oauthApp.client_secret,
      GITHUB_OAUTH_URL: gh.url,
      GITHUB_API_URL: `${gh.url}/api/v3`,
      GITHUB_TOKEN_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      GITHUB_TIMEOUT_MS: '5000',
    }),
    // No verifier override: the mirror checks tokens with @gatehouse/token-verifier against this auth, as in production.
    { db: mirrorDb.db, logger: captureLogs('mirror').logger, workerId: 'web-test', manualWorker: true },
  );
  cleanups.push(() => mirror.close());
  mirrorServer.set(mirror.app.callback());
  mirrorServer.server.on('upgrade', (req, socket, head) => void mirror.events.handleUpgrade(req, socket, head));

  const admin = async (path: string, body: unknown) => {
    const res = await fetch(`${gh.url}/_sandbox${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${sandboxAdmin}`,
        'content-type': 'application/json',
        'user-agent': 'web-tests',
      },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  };
  return {
    ...stack,
    github: { url: gh.url, api: `${gh.url}/api/v3`, runtime: sandbox, admin },
    mirror,
    drain: async () => {
      await mirror.worker?.drain();
    },
  };
}
