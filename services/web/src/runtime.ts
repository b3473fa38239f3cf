import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createDatabase, migrate, readMigrations, type Database } from '@gatehouse/db';
import { createLogger, systemClock, type Clock, type Logger, type Service } from '@gatehouse/service-kit';
import { createWebApp, sessionCookieName, type WebDeps } from './app.js';
import { loadAssets } from './assets.js';
import { createAuthClient, type AuthClient } from './auth-client.js';
import { createMirrorClient, type MirrorClient } from './mirror-client.js';
import { mirrorEvents, type UpgradeHandler } from './mirror-events.js';
import type { WebConfig } from './config.js';
import { migrationsDir } from './paths.js';
import { createSealer } from './session/seal.js';
import { createPostgresSessionStore } from './session/store-postgres.js';
import { createRedisSessionStore } from './session/store-redis.js';
import type { SessionStore } from './session/store.js';

export interface WebRuntime {
  app: Service;
  deps: WebDeps;
  /** For the HTTP server's 'upgrade' event: the /mirror/events WebSocket (refuses everything without MIRROR_URL). */
  upgrade: UpgradeHandler;
  /** Closes in dependency order: sockets, assets watcher, service connections, session store, Redis, database. */
  close(): Promise<void>;
}

export interface WebRuntimeOverrides {
  db?: Database;
  logger?: Logger;
  clock?: Clock;
  auth?: AuthClient;
  mirror?: MirrorClient;
  /** Prefix for every Redis key (tests give each file its own). */
  redisPrefix?: string;
}

/** Builds every dependency from config (migrating the session table when Postgres holds it) and returns the app. */
export async function createWebRuntime(config: WebConfig, overrides: WebRuntimeOverrides = {}): Promise<WebRuntime> {
  const logger = overrides.logger ?? createLogger({ service: 'web', level: config.LOG_LEVEL });
  const clock = overrides.clock ?? systemClock;
  const sealer = createSealer(config.SESSION_SECRET);

  let redis: Redis | undefined;
  let db: Database | undefined;
  let store: SessionStore;
  if (config.REDIS_URL) {
    redis = new Redis(config.REDIS_URL, {
      // A page waiting on a dead Redis is worse than a quick "try again".
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 1000,
      connectTimeout: 2000,
    });
    redis.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis error'));
    store = createRedisSessionStore({ redis, sealer, clock, ...(overrides.redisPrefix ? { prefix: overrides.redisPrefix } : {}) });
  } else {
    db =
      overrides.db ??
      (await createDatabase({
        url: config.DATABASE_URL,
        dataDir: join(config.DATA_DIR, 'pglite'),
        onError: (err) => logger.warn({ err: err.message }, 'idle database connection lost'),
      }));
    const { applied } = await migrate(db, await readMigrations(migrationsDir));
    if (applied.length) logger.info({ applied }, 'migrations applied');
    store = createPostgresSessionStore({ db, sealer, clock, onSweepError: (err) => logger.warn({ err }, 'session sweep failed') });
  }

  const assets = await loadAssets(config.ASSETS_MODE, logger);
  const auth =
    overrides.auth ?? createAuthClient({ baseUrl: config.AUTH_URL, timeoutMs: config.AUTH_TIMEOUT_MS, serviceSecret: config.SERVICE_SECRET });
  const mirror =
    overrides.mirror ??
    (config.MIRROR_URL && config.SERVICE_SECRET
      ? createMirrorClient({ baseUrl: config.MIRROR_URL, timeoutMs: config.MIRROR_TIMEOUT_MS, serviceSecret: config.SERVICE_SECRET })
      : undefined);
  const deps: WebDeps = {
    settings: {
      publicUrl: config.PUBLIC_URL,
      githubOAuthUrl: config.GITHUB_OAUTH_URL,
      idleTimeoutMs: config.SESSION_IDLE_TIMEOUT_SECONDS * 1000,
      absoluteTimeoutMs: config.SESSION_ABSOLUTE_TIMEOUT_SECONDS * 1000,
      watchTemplates: config.ASSETS_MODE === 'watch',
    },
    logger,
    clock,
    store,
    auth,
    mirror,
    assets,
  };
  const app = createWebApp(deps);
  const events = mirror
    ? mirrorEvents({
        publicOrigin: new URL(config.PUBLIC_URL).origin,
        cookieName: sessionCookieName(config.PUBLIC_URL),
        store,
        idleMs: deps.settings.idleTimeoutMs,
        absoluteMs: deps.settings.absoluteTimeoutMs,
        mirrorUrl: mirror.baseUrl,
        clock,
        logger,
      })
    : undefined;

  return {
    app,
    deps,
    upgrade: events?.upgrade ?? ((_req, socket) => socket.destroy()),
    async close() {
      events?.close();
      assets.close();
      if (!overrides.auth) auth.close();
      if (mirror && !overrides.mirror) mirror.close();
      await store.close();
      redis?.disconnect();
      if (db && !overrides.db) await db.close();
    },
  };
}
