import { z } from 'zod';
import { configFields, loadConfigOrExit, type Env } from '@gatehouse/service-kit';

const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Every setting of the web service. The only place it reads the environment. */
export const webConfigSchema = z.object({
  PORT: configFields.port(3000).describe('Port the web service listens on.'),
  HOST: z.string().default('0.0.0.0').describe('Address the web service binds to.'),
  LOG_LEVEL: configFields.logLevel().describe('pino log level.'),
  TRUSTED_PROXIES: configFields.trustedProxies(),
  PUBLIC_URL: z
    .url()
    .default('http://localhost:8080')
    .describe('Public base URL people use. https:// turns on Secure cookies with the __Host- prefix and HSTS.'),
  AUTH_URL: z
    .url()
    .default('http://127.0.0.1:3001')
    .describe('Internal base URL of the auth service (not through nginx).'),
  AUTH_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(10_000)
    .describe('Longest wait for one auth service call; a password login includes a bcrypt hash.'),
  SERVICE_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters')
    .describe("auth's SERVICE_SECRET: web presents it to read the revocation feed and to introspect tokens."),
  JWT_ISSUER: z
    .string()
    .optional()
    .describe("`iss` auth puts in access tokens (auth's JWT_ISSUER). Default: PUBLIC_URL."),
  JWT_AUDIENCE: z.string().default('gatehouse').describe("`aud` auth puts in access tokens (auth's JWT_AUDIENCE)."),
  REVOCATION_FEED: z
    .enum(['auto', 'redis', 'stream'])
    .default('auto')
    .describe(
      'How revocations reach web: redis = pub/sub on REDIS_URL; stream = a long-lived stream from auth; auto = redis when REDIS_URL is set.',
    ),
  AUTH_REDIS_PREFIX: z
    .string()
    .default('gatehouse:auth:')
    .describe("auth's REDIS_PREFIX: its revocation channel is `<prefix>revocations`."),
  REVOCATION_STALE_AFTER_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(5000)
    .describe(
      'Without word from the revocation feed this long, web asks auth about each token instead of trusting its copy.',
    ),
  MIRROR_URL: z
    .url()
    .optional()
    .describe(
      'Internal base URL of the mirror service. Unset: no "Sign in with GitHub", no GitHub connection, no /mirror.',
    ),
  MIRROR_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(10_000)
    .describe('Longest wait for one mirror service call.'),
  GITHUB_OAUTH_URL: z
    .url()
    .default('https://github.com')
    .describe(
      "Where people authorize Gatehouse (the mirror's GITHUB_OAUTH_URL): the only host web redirects a browser to.",
    ),
  DATABASE_URL: z
    .string()
    .optional()
    .describe('Postgres URL for sessions when REDIS_URL is unset. Unset: embedded PGlite in DATA_DIR.'),
  DATABASE_POOL_SIZE: configFields.databasePoolSize(),
  DATA_DIR: z.string().default('.data/web').describe('Where the embedded session database lives.'),
  REDIS_URL: z
    .string()
    .optional()
    .describe('Redis URL. Set: sessions live in Redis (preferred with several replicas).'),
  SESSION_CACHE_ENTRIES: z.coerce
    .number()
    .int()
    .min(0)
    .default(10_000)
    .describe(
      'Postgres sessions: how many records each replica keeps in memory (least recently used out first, 10 s at most, dropped when any replica changes them, via LISTEN). 0: every page view reads Postgres.',
    ),
  SESSION_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters')
    .describe('Secret from which session encryption keys are derived. Changing it logs everyone out.'),
  SESSION_IDLE_TIMEOUT_SECONDS: seconds(2 * 3600).describe('A session unused this long ends.'),
  SESSION_ABSOLUTE_TIMEOUT_SECONDS: seconds(12 * 3600).describe('A session ends this long after login, used or not.'),
  ASSETS_MODE: z
    .enum(['auto', 'prebuilt', 'compile', 'watch'])
    .default('auto')
    .describe(
      "Stylesheets: prebuilt = the build step's dist/assets; compile = Sass at startup; watch = recompile on change (development); auto = prebuilt when running built code, else compile.",
    ),
  SHUTDOWN_TIMEOUT_MS: configFields.shutdownTimeout(),
});

export type WebConfig = z.infer<typeof webConfigSchema>;

export function readWebConfig(env: Env = process.env): WebConfig {
  return loadConfigOrExit(webConfigSchema, env, 'web');
}
