import type { IncomingMessage } from 'node:http';
import { resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import { migrateDatabase, openDatabase, type Database } from '@gatehouse/db';
import { createLogger, systemClock, type Clock, type Logger, type Service } from '@gatehouse/service-kit';
import { createMirrorApp } from './app.js';
import type { MirrorConfig } from './config.js';
import type { AccessTokenVerifier, MirrorDeps } from './deps.js';
import { drainRevocations } from './domain/disconnect.js';
import { createGithubClient } from './github/github-client.js';
import { createTokenCipher } from './github/token-cipher.js';
import { createJobEvents, type JobEvents } from './http/job-events.js';
import { MirrorWorker } from './mirror/mirror-worker.js';
import { sourceTreeAt, type SourceTree } from './mirror/source-tree.js';
import { defaultSourceDir, migrationsDir } from './paths.js';
import { loadVerifier } from './verifier.js';

export interface MirrorRuntime {
  app: Service;
  deps: MirrorDeps;
  events: JobEvents;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  worker: MirrorWorker | undefined;
  /** Sends due grant revocations now (also runs on a timer). */
  revokeDue(): Promise<void>;
  close(): Promise<void>;
}

export interface RuntimeOverrides {
  db?: Database;
  logger?: Logger;
  clock?: Clock;
  verifier?: AccessTokenVerifier;
  source?: SourceTree;
  workerId?: string;
  /** Tests drive the worker themselves (drain) instead of timers. */
  manualWorker?: boolean;
}

const revocationPollMs = 30_000;

export async function createMirrorRuntime(
  config: MirrorConfig,
  overrides: RuntimeOverrides = {},
): Promise<MirrorRuntime> {
  const logger = overrides.logger ?? createLogger({ service: 'mirror', level: config.LOG_LEVEL });
  const clock = overrides.clock ?? systemClock;
  const db = overrides.db
    ? await migrateDatabase(overrides.db, migrationsDir, logger)
    : await openDatabase(config, migrationsDir, logger);
  const verifier = overrides.verifier ?? (await loadVerifier(config, logger));
  const github = createGithubClient(
    {
      apiUrl: config.GITHUB_API_URL,
      oauthUrl: config.GITHUB_OAUTH_URL,
      clientId: config.GITHUB_CLIENT_ID,
      clientSecret: config.GITHUB_CLIENT_SECRET,
      apiVersion: config.GITHUB_API_VERSION,
      timeoutMs: config.GITHUB_TIMEOUT_MS,
      userAgent: 'Gatehouse-Mirror',
    },
    { clock },
  );
  let worker: MirrorWorker | undefined;

  let revocationTimer: NodeJS.Timeout | undefined;
  const deps: MirrorDeps = {
    settings: {
      publicUrl: config.PUBLIC_URL,
      serviceSecret: config.SERVICE_SECRET,
      defaultRepoName: config.MIRROR_REPOSITORY_NAME,
      workDir: resolve(config.DATA_DIR, 'work'),
      trustedProxies: config.TRUSTED_PROXIES,
    },
    db,
    logger,
    clock,
    github,
    cipher: createTokenCipher(config.GITHUB_TOKEN_KEYS),
    verifier,
    source: overrides.source ?? sourceTreeAt(config.MIRROR_SOURCE_DIR ?? defaultSourceDir),
    jobQueued: () => (overrides.manualWorker ? undefined : worker?.notify()),
    revocationQueued: () => {},
  };
  const events = createJobEvents(deps);
  if (config.MIRROR_WORKER) {
    const onChange = (job: { id: string }) => events.jobChanged(job.id);
    worker = new MirrorWorker(deps, {
      ...(overrides.workerId ? { id: overrides.workerId } : {}),
      leaseMs: config.MIRROR_JOB_LEASE_MS,
      onChange,
    });
    if (!overrides.manualWorker) worker.start();
  }
  const revokeDue = async () => {
    await drainRevocations(deps).catch((err: unknown) => logger.warn({ err }, 'revocation outbox pass failed'));
  };
  if (!overrides.manualWorker) {
    revocationTimer = setInterval(() => void revokeDue(), revocationPollMs);
    revocationTimer.unref();
  }
  return {
    app: createMirrorApp(deps),
    deps,
    events,
    worker,
    revokeDue,
    upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void events.handleUpgrade(req, socket, head),
    async close() {
      clearInterval(revocationTimer);
      await worker?.stop();
      await events.close();
      await (verifier as { close?(): Promise<void> }).close?.();
      if (!overrides.db) await db.close();
    },
  };
}
