import type { Redis } from 'ioredis';
import { migrateDatabase, openDatabase, type Database } from '@gatehouse/db';
import { createLogger, createRedis, systemClock, type Clock, type Logger, type Service } from '@gatehouse/service-kit';
import { createWebApp, type WebDeps } from './app.js';
import { loadAssets } from './assets.js';
import { createAuthClient, type AuthClient } from './auth-client.js';
import type { WebConfig } from './config.js';
import { migrationsDir } from './paths.js';
import { createSealer } from './session/seal.js';
import { createPostgresSessionStore } from './session/store-postgres.js';
import { createRedisSessionStore } from './session/store-redis.js';
import type { SessionStore } from './session/store.js';

export interface WebRuntime {
  app: Service;
  deps: WebDeps;
  /** Closes in dependency order: assets watcher, auth connections, session store, Redis, database. */
  close(): Promise<void>;
}

export interface WebRuntimeOverrides {
  db?: Database;
  logger?: Logger;
  clock?: Clock;
  auth?: AuthClient;
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
    redis = createRedis(config.REDIS_URL, logger, 'interactive');
    store = createRedisSessionStore({ redis, sealer, clock, ...(overrides.redisPrefix ? { prefix: overrides.redisPrefix } : {}) });
  } else {
    db = overrides.db
      ? await migrateDatabase(overrides.db, migrationsDir, logger)
      : await openDatabase(config, migrationsDir, logger);
    store = createPostgresSessionStore({ db, sealer, clock, onSweepError: (err) => logger.warn({ err }, 'session sweep failed') });
  }

  const assets = await loadAssets(config.ASSETS_MODE, logger);
  const auth = overrides.auth ?? createAuthClient({ baseUrl: config.AUTH_URL, timeoutMs: config.AUTH_TIMEOUT_MS });
  const deps: WebDeps = {
    settings: {
      publicUrl: config.PUBLIC_URL,
      idleTimeoutMs: config.SESSION_IDLE_TIMEOUT_SECONDS * 1000,
      absoluteTimeoutMs: config.SESSION_ABSOLUTE_TIMEOUT_SECONDS * 1000,
      watchTemplates: config.ASSETS_MODE === 'watch',
    },
    logger,
    clock,
    store,
    auth,
    assets,
  };
  const app = createWebApp(deps);

  return {
    app,
    deps,
    async close() {
      assets.close();
      if (!overrides.auth) auth.close();
      await store.close();
      redis?.disconnect();
      if (db && !overrides.db) await db.close();
    },
  };
}
