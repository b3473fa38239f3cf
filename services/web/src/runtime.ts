import type { Redis } from 'ioredis';
import { migrateDatabase, openDatabase, type Database, type Listening } from '@gatehouse/db';
import { createLogger, createRedis, systemClock, type Clock, type Logger, type Service } from '@gatehouse/service-kit';
import { createVerifier, type FeedOptions, type Verifier } from '@gatehouse/token-verifier';
import { createWebApp, sessionCookieName, type WebDeps } from './app.js';
import { loadAssets } from './assets.js';
import { createAuthClient, type AuthClient } from './auth-client.js';
import { createMirrorClient, type MirrorClient } from './mirror-client.js';
import { mirrorEvents, type UpgradeHandler } from './mirror-events.js';
import type { WebConfig } from './config.js';
import { migrationsDir } from './paths.js';
import { createSealer } from './session/seal.js';
import { createSessionCache, type SessionCache } from './session/session-cache.js';
import { dropChangedSessions } from './session/session-invalidation.js';
import { createPostgresSessionStore } from './session/store-postgres.js';
import { createRedisSessionStore } from './session/store-redis.js';
import type { SessionStore } from './session/store.js';

export interface WebRuntime {
  app: Service;
  deps: WebDeps;
  /** For the HTTP server's 'upgrade' event: the /mirror/events WebSocket (refuses everything without MIRROR_URL). */
  upgrade: UpgradeHandler;
  /** This replica's near-cache of Postgres sessions, when it has one (its stats, for tests and operators). */
  sessionCache: SessionCache | undefined;
  /** Closes in dependency order: sockets, assets watcher, service connections, session store, Redis, database. */
  close(): Promise<void>;
}

export interface WebRuntimeOverrides {
  db?: Database;
  logger?: Logger;
  clock?: Clock;
  auth?: AuthClient;
  verifier?: Verifier;
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
  let sessionChanges: Listening | undefined;
  let cache: SessionCache | undefined;
  if (config.REDIS_URL) {
    redis = createRedis(config.REDIS_URL, logger, 'interactive');
    store = createRedisSessionStore({
      redis,
      sealer,
      clock,
      ...(overrides.redisPrefix ? { prefix: overrides.redisPrefix } : {}),
    });
  } else {
    db = overrides.db
      ? await migrateDatabase(overrides.db, migrationsDir, logger)
      : await openDatabase(config, migrationsDir, logger);
    // PGlite has no LISTEN and needs none, being one process, but its reads are calls into this process's
    // own memory: no round trip for a cache to save. So only a Postgres server gets a cache.
    cache =
      config.SESSION_CACHE_ENTRIES > 0 && db.listen
        ? createSessionCache({ maxEntries: config.SESSION_CACHE_ENTRIES })
        : undefined;
    sessionChanges = cache && dropChangedSessions({ db, cache, logger });
    store = createPostgresSessionStore({
      db,
      sealer,
      clock,
      cache,
      onSweepError: (err) => logger.warn({ err }, 'session sweep failed'),
    });
  }

  const assets = await loadAssets(config.ASSETS_MODE, logger);
  const auth =
    overrides.auth ??
    createAuthClient({
      baseUrl: config.AUTH_URL,
      timeoutMs: config.AUTH_TIMEOUT_MS,
      serviceSecret: config.SERVICE_SECRET,
    });
  const verifier =
    overrides.verifier ??
    (await createVerifier({
      authUrl: config.AUTH_URL,
      audience: config.JWT_AUDIENCE,
      issuer: config.JWT_ISSUER ?? config.PUBLIC_URL,
      credentials: { service: 'web', secret: config.SERVICE_SECRET },
      feed: feedOf(config),
      staleAfterMs: config.REVOCATION_STALE_AFTER_MS,
      // Pages keep working while the feed is down, at the price of one call to auth per view.
      whenStale: 'introspect',
      // Token lifetimes are auth's time, not the session clock web's tests move.
      onError: (err) => logger.warn({ err: err.message }, 'token verifier'),
    }));
  const mirror =
    overrides.mirror ??
    (config.MIRROR_URL && config.SERVICE_SECRET
      ? createMirrorClient({
          baseUrl: config.MIRROR_URL,
          timeoutMs: config.MIRROR_TIMEOUT_MS,
          serviceSecret: config.SERVICE_SECRET,
        })
      : undefined);
  const deps: WebDeps = {
    settings: {
      publicUrl: config.PUBLIC_URL,
      sessionSecret: config.SESSION_SECRET,
      githubOAuthUrl: config.GITHUB_OAUTH_URL,
      idleTimeoutMs: config.SESSION_IDLE_TIMEOUT_SECONDS * 1000,
      absoluteTimeoutMs: config.SESSION_ABSOLUTE_TIMEOUT_SECONDS * 1000,
      watchTemplates: config.ASSETS_MODE === 'watch',
      trustedProxies: config.TRUSTED_PROXIES,
    },
    logger,
    clock,
    store,
    auth,
    verifier,
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
    sessionCache: cache,
    async close() {
      events?.close();
      assets.close();
      if (!overrides.auth) auth.close();
      if (!overrides.verifier) await verifier.close();
      if (mirror && !overrides.mirror) mirror.close();
      await store.close();
      await sessionChanges?.close();
      redis?.disconnect();
      if (db && !overrides.db) await db.close();
    },
  };
}

function feedOf(config: WebConfig): FeedOptions {
  const redis = config.REVOCATION_FEED === 'redis' || (config.REVOCATION_FEED === 'auto' && config.REDIS_URL);
  if (!redis) return { transport: 'stream' };
  if (!config.REDIS_URL) throw new Error('REVOCATION_FEED=redis needs REDIS_URL');
  return { transport: 'redis', url: config.REDIS_URL, channel: `${config.AUTH_REDIS_PREFIX}revocations` };
}
