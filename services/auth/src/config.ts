import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { configFields, loadConfigOrExit, type Env } from '@gatehouse/service-kit';

const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Every setting of the auth service. The only place it reads the environment. */
export const authConfigSchema = z.object({
  PORT: configFields.port(3001).describe('Port the auth service listens on.'),
  HOST: z.string().default('0.0.0.0').describe('Address the auth service binds to.'),
  LOG_LEVEL: configFields.logLevel().describe('pino log level.'),
  TRUSTED_PROXIES: configFields.trustedProxies(),
  PUBLIC_URL: z
    .url()
    .default('http://localhost:8080')
    .describe('Public base URL of Gatehouse; emailed links are built from it, never from the request.'),
  DATABASE_URL: z.string().optional().describe('Postgres URL. Unset: embedded PGlite in DATA_DIR.'),
  DATABASE_POOL_SIZE: configFields.databasePoolSize(),
  DATA_DIR: z.string().default('.data/auth').describe('Where the embedded database and generated signing keys live.'),
  REDIS_URL: z.string().optional().describe('Redis URL for hot revocation lookups. Unset: Postgres alone.'),
  REDIS_PREFIX: z.string().default('gatehouse:auth:').describe('Prefix of every Redis key the auth service writes.'),
  REVOCATION_HEARTBEAT_MS: z.coerce
    .number()
    .int()
    .min(50)
    .default(1000)
    .describe('How often the revocation feed says it is alive; verifiers refuse tokens when they miss several.'),
  JWT_ISSUER: z.string().optional().describe('`iss` of access tokens. Default: PUBLIC_URL.'),
  JWT_AUDIENCE: z.string().default('gatehouse').describe('`aud` of access tokens; verifiers require it.'),
  JWT_PRIVATE_KEY: z
    .string()
    .optional()
    .describe('Signing key (PEM, EC P-256 or RSA). Unset: generated on first start and kept in DATA_DIR/keys.'),
  JWT_PREVIOUS_PUBLIC_KEYS: z
    .string()
    .optional()
    .describe('Retired public keys (PEMs, concatenated) still published in the JWKS until their tokens expire.'),
  ACCESS_TOKEN_TTL_SECONDS: seconds(900).describe('Lifetime of an access token.'),
  REFRESH_TOKEN_TTL_SECONDS: seconds(30 * 24 * 3600).describe(
    'Absolute lifetime of a login session (a refresh-token family).',
  ),
  REFRESH_REUSE_GRACE_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .default(10)
    .describe('How long a just-rotated refresh token may be used again (two tabs refreshing at once).'),
  LOGIN_SLOWDOWN_MAX_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(30_000)
    .default(3000)
    .describe(
      'Longest delay before answering a login on a username or email that keeps failing (clients without a device token). Never a refusal.',
    ),
  CONFIRM_TOKEN_TTL_SECONDS: seconds(24 * 3600).describe('Lifetime of an email confirmation link.'),
  RESET_TOKEN_TTL_SECONDS: seconds(3600).describe('Lifetime of a password reset link.'),
  UNCONFIRMED_ACCOUNT_TTL_SECONDS: seconds(7 * 24 * 3600).describe(
    'How long an account whose email was never confirmed is kept; then it is deleted, releasing its username and address.',
  ),
  AUDIT_RETENTION_DAYS: z.coerce.number().int().positive().default(365).describe('How long audit rows are kept.'),
  PURGE_INTERVAL_SECONDS: seconds(3600).describe(
    'How often each replica tries the purge job (one at a time, under an advisory lock).',
  ),
  PASSWORD_PEPPER: z
    .string()
    .min(32, 'must be at least 32 characters')
    .describe('Secret mixed into every password before bcrypt (HMAC-SHA384). Losing it invalidates every password.'),
  BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12).describe('bcrypt cost factor.'),
  HASH_WORKERS: z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .default(availableParallelism())
    .describe('Worker threads that hash passwords. Default: CPU count.'),
  SERVICE_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters')
    .describe('Shared secret other services present (HTTP Basic password) to /v1/introspect.'),
  SMTP_URL: z
    .string()
    .default('smtp://127.0.0.1:1025')
    .describe('SMTP server for outgoing mail (smtp:// or smtps://).'),
  SMTP_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(5000)
    .describe('Longest wait for the SMTP server to accept a connection and greet; a send that fails is retried later.'),
  MAIL_FROM: z.string().default('Gatehouse <no-reply@gatehouse.localhost>').describe('From: address of outgoing mail.'),
  MAIL_WORKER: configFields.bool(true).describe('Deliver the mail outbox from this process.'),
  MAIL_CLAIM_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(60_000)
    .describe('A mail a worker claimed but did not mark sent this long ago (its replica died) is sent by another.'),
  SHUTDOWN_TIMEOUT_MS: configFields.shutdownTimeout(),
});

export type AuthConfig = z.infer<typeof authConfigSchema>;

export function readAuthConfig(env: Env = process.env): AuthConfig {
  return loadConfigOrExit(authConfigSchema, env, 'auth');
}
