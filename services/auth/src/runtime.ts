import nodemailer, { type Transporter } from 'nodemailer';
import { migrateDatabase, openDatabase, type Database } from '@gatehouse/db';
import { createLogger, createRedis, systemClock, type Clock, type Logger, type Service } from '@gatehouse/service-kit';
import { createAuthApp } from './app.js';
import type { AuthConfig } from './config.js';
import type { AuthDeps } from './deps.js';
import { createAudit } from './audit/audit.js';
import { MailWorker } from './mail/mail-worker.js';
import { startPurge } from './housekeeping/purge.js';
import { HashPool } from './passwords/hash-pool.js';
import { createPasswordHasher } from './passwords/password-hasher.js';
import { loadCommonPasswords } from './passwords/password-policy.js';
import { commonPasswordsFile, migrationsDir } from './paths.js';
import { createAccessTokens } from './tokens/access-tokens.js';
import { derivedKey } from './tokens/derived-key.js';
import { createDeviceTokens } from './tokens/device-tokens.js';
import { loadKeyStore } from './tokens/key-store.js';
import { publishRevocations } from './tokens/published-token-status.js';
import { createRevocationFeed } from './tokens/revocation-feed.js';
import { createPostgresTokenStatus, createRedisTokenStatus } from './tokens/token-status.js';
import { Throttle } from './throttle/throttle.js';

export interface AuthRuntime {
  app: Service;
  deps: AuthDeps;
  mailWorker: MailWorker | undefined;
  /** Closes in dependency order: worker, hash threads, Redis, database. */
  close(): Promise<void>;
}

export interface RuntimeOverrides {
  db?: Database;
  logger?: Logger;
  clock?: Clock;
  mailTransport?: Transporter;
  /** Prefix for every Redis key (tests give each file its own). */
  redisPrefix?: string;
}

/** Builds every dependency from config, migrates the database and returns the app. */
export async function createAuthRuntime(config: AuthConfig, overrides: RuntimeOverrides = {}): Promise<AuthRuntime> {
  const logger = overrides.logger ?? createLogger({ service: 'auth', level: config.LOG_LEVEL });
  const clock = overrides.clock ?? systemClock;
  const db = overrides.db
    ? await migrateDatabase(overrides.db, migrationsDir, logger)
    : await openDatabase(config, migrationsDir, logger);

  const keys = await loadKeyStore({
    privateKeyPem: config.JWT_PRIVATE_KEY,
    previousPublicKeysPem: config.JWT_PREVIOUS_PUBLIC_KEYS,
    dataDir: config.DATA_DIR,
  });
  const pool = new HashPool(config.HASH_WORKERS);
  const redis = config.REDIS_URL ? createRedis(config.REDIS_URL, logger, 'failFast') : undefined;
  const accessTtlMs = config.ACCESS_TOKEN_TTL_SECONDS * 1000;
  const redisPrefix = overrides.redisPrefix ?? config.REDIS_PREFIX;
  const revocationFeed = createRevocationFeed({
    db,
    clock,
    logger,
    redis,
    channel: `${redisPrefix}revocations`,
    heartbeatMs: config.REVOCATION_HEARTBEAT_MS,
  });
  const redisStatus = redis
    ? createRedisTokenStatus({ db, redis, prefix: redisPrefix, clock, logger, ttlMs: accessTtlMs })
    : undefined;
  if (redisStatus) {
    revocationFeed.subscribe((message) => {
      if (message.type === 'event') void redisStatus.heard(message.event);
    });
  }
  const tokenStatus = publishRevocations(
    redisStatus ?? createPostgresTokenStatus(db),
    revocationFeed,
    clock,
    config.ACCESS_TOKEN_TTL_SECONDS,
  );

  const transport =
    overrides.mailTransport ??
    nodemailer.createTransport(config.SMTP_URL, {
      connectionTimeout: config.SMTP_TIMEOUT_MS,
      greetingTimeout: config.SMTP_TIMEOUT_MS,
      socketTimeout: 3 * config.SMTP_TIMEOUT_MS,
    });
  const mailWorker = config.MAIL_WORKER
    ? new MailWorker({
        db,
        transport,
        from: config.MAIL_FROM,
        messageIdDomain: new URL(config.PUBLIC_URL).hostname,
        clock,
        logger,
        claimMs: config.MAIL_CLAIM_MS,
      })
    : undefined;

  const deps: AuthDeps = {
    settings: {
      publicUrl: config.PUBLIC_URL,
      accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
      refresh: {
        familyTtlMs: config.REFRESH_TOKEN_TTL_SECONDS * 1000,
        reuseGraceMs: config.REFRESH_REUSE_GRACE_SECONDS * 1000,
        successorKey: derivedKey(config.PASSWORD_PEPPER, 'refresh-successor'),
      },
      confirmTtlMs: config.CONFIRM_TOKEN_TTL_SECONDS * 1000,
      unconfirmedTtlMs: config.UNCONFIRMED_ACCOUNT_TTL_SECONDS * 1000,
      auditRetentionMs: config.AUDIT_RETENTION_DAYS * 86_400_000,
      resetTtlMs: config.RESET_TOKEN_TTL_SECONDS * 1000,
      serviceSecret: config.SERVICE_SECRET,
      trustedProxies: config.TRUSTED_PROXIES,
      loginSlowdownMaxMs: config.LOGIN_SLOWDOWN_MAX_MS,
    },
    db,
    logger,
    clock,
    passwords: createPasswordHasher(pool, { pepper: config.PASSWORD_PEPPER, cost: config.BCRYPT_COST }),
    commonPasswords: loadCommonPasswords(commonPasswordsFile),
    keys,
    accessTokens: createAccessTokens(
      keys,
      {
        issuer: config.JWT_ISSUER ?? config.PUBLIC_URL,
        audience: config.JWT_AUDIENCE,
        ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
      },
      clock,
    ),
    tokenStatus,
    revocationFeed,
    throttle: new Throttle(db, clock),
    deviceTokens: createDeviceTokens(derivedKey(config.PASSWORD_PEPPER, 'device-token')),
    audit: createAudit(logger, clock),
    mailQueued: () => mailWorker?.notify(),
  };
  mailWorker?.start();
  const purge = startPurge(deps, config.PURGE_INTERVAL_SECONDS * 1000);
  const app = createAuthApp(deps);

  return {
    app,
    deps,
    mailWorker,
    async close() {
      await mailWorker?.stop();
      await purge.stop();
      transport.close();
      await pool.close();
      await tokenStatus.close();
      await revocationFeed.close();
      redis?.disconnect();
      if (!overrides.db) await db.close();
    },
  };
}
