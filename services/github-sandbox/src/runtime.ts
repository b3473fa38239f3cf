import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { migrateDatabase, openDatabase, type Database } from '@gatehouse/db';
import { createLogger, systemClock, type Clock, type Logger, type Service } from '@gatehouse/service-kit';
import { apiPrefix, createSandboxApp } from './app.js';
import { oauthAppsOf, type SandboxConfig } from './config.js';
import type { SandboxDeps } from './deps.js';
import { createRepoDisk } from './git/repo-disk.js';
import { createOAuthApps } from './oauth/apps.js';
import { migrationsDir } from './paths.js';

export interface SandboxRuntime {
  app: Service;
  deps: SandboxDeps;
  close(): Promise<void>;
}

export interface SandboxRuntimeOverrides {
  db?: Database;
  logger?: Logger;
  clock?: Clock;
}

/** Builds every dependency from config (migrating the database, creating the repository root) and returns the app. */
export async function createSandboxRuntime(
  config: SandboxConfig,
  overrides: SandboxRuntimeOverrides = {},
): Promise<SandboxRuntime> {
  const logger = overrides.logger ?? createLogger({ service: 'github-sandbox', level: config.LOG_LEVEL });
  const db = overrides.db
    ? await migrateDatabase(overrides.db, migrationsDir, logger)
    : await openDatabase(config, migrationsDir, logger);
  const reposRoot = join(config.DATA_DIR, 'repos');
  await mkdir(reposRoot, { recursive: true });
  const publicUrl = config.PUBLIC_URL.replace(/\/$/, '');
  const deps: SandboxDeps = {
    settings: {
      publicUrl,
      apiUrl: `${publicUrl}${apiPrefix}`,
      rateLimitPerHour: config.RATE_LIMIT_PER_HOUR,
      adminToken: config.SANDBOX_ADMIN_TOKEN,
      trustedProxies: config.TRUSTED_PROXIES,
    },
    db,
    clock: overrides.clock ?? systemClock,
    logger,
    apps: createOAuthApps(oauthAppsOf(config)),
    disk: createRepoDisk(reposRoot, config.GIT_BIN),
  };
  return {
    app: createSandboxApp(deps),
    deps,
    async close() {
      if (!overrides.db) await db.close();
    },
  };
}
