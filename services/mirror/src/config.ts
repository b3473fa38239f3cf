import { z } from 'zod';
import { configFields, loadConfigOrExit, type Env } from '@gatehouse/service-kit';

/** `id:<base64 of 32 bytes>` pairs, comma separated; the first one encrypts, all of them decrypt. */
const tokenKeys = z
  .string()
  .describe(
    'GitHub-token encryption keys, `k1:<base64 32 bytes>,k0:<…>`; the first encrypts, the others still decrypt (rotation).',
  )
  .transform((value, ctx) => {
    const keys: { id: string; key: Buffer }[] = [];
    for (const part of value
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const colon = part.indexOf(':');
      const id = part.slice(0, colon);
      const key = Buffer.from(part.slice(colon + 1), 'base64');
      if (colon < 1 || !/^[A-Za-z0-9_-]{1,32}$/.test(id) || key.length !== 32) {
        ctx.addIssue({ code: 'custom', message: 'each key must be `<id>:<base64 of exactly 32 bytes>`' });
        return z.NEVER;
      }
      keys.push({ id, key });
    }
    if (keys.length === 0) ctx.addIssue({ code: 'custom', message: 'at least one key is required' });
    return keys;
  });

/** Every setting of the mirror service. The only place it reads the environment. */
export const mirrorConfigSchema = z.object({
  PORT: configFields.port(3002).describe('Port the mirror service listens on.'),
  HOST: z.string().default('0.0.0.0').describe('Address the mirror service binds to.'),
  LOG_LEVEL: configFields.logLevel().describe('pino log level.'),
  TRUSTED_PROXIES: configFields.trustedProxies(),
  PUBLIC_URL: z
    .url()
    .default('http://localhost:8080')
    .describe('Public base URL of Gatehouse; the OAuth redirect_uri is `${PUBLIC_URL}/github/callback`.'),
  AUTH_URL: z
    .url()
    .default('http://127.0.0.1:3001')
    .describe('The auth service, whose JWKS and revocation feed check access tokens.'),
  JWT_AUDIENCE: z.string().default('gatehouse').describe('`aud` access tokens must carry.'),
  JWT_ISSUER: z
    .string()
    .optional()
    .describe("`iss` auth puts in access tokens (auth's JWT_ISSUER). Default: PUBLIC_URL."),
  SERVICE_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters')
    .describe('Shared secret web presents (HTTP Basic password) to /v1/internal/….'),
  DATABASE_URL: z.string().optional().describe('Postgres URL. Unset: embedded PGlite in DATA_DIR.'),
  DATABASE_POOL_SIZE: configFields.databasePoolSize(),
  DATA_DIR: z
    .string()
    .default('.data/mirror')
    .describe('Where the embedded database and scratch git repositories live.'),
  GITHUB_CLIENT_ID: z.string().min(1).describe('Client id of the GitHub OAuth app.'),
  GITHUB_CLIENT_SECRET: z.string().min(1).describe('Client secret of the GitHub OAuth app.'),
  GITHUB_OAUTH_URL: z
    .url()
    .default('https://github.com')
    .describe('GitHub web host (OAuth endpoints). GHES: `https://ghes.example`.'),
  GITHUB_API_URL: z
    .url()
    .default('https://api.github.com')
    .describe('GitHub REST base URL. GHES: `https://ghes.example/api/v3`.'),
  GITHUB_API_VERSION: z.string().default('2022-11-28').describe('Sent as X-GitHub-Api-Version.'),
  GITHUB_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000).describe('Timeout of one GitHub API request.'),
  GITHUB_TOKEN_KEYS: tokenKeys,
  MIRROR_REPOSITORY_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/)
    .default('gatehouse')
    .describe('Default name of the mirror repository.'),
  MIRROR_SOURCE_DIR: z
    .string()
    .optional()
    .describe('Checkout whose tracked files are mirrored. Default: the running source tree.'),
  MIRROR_WORKER: configFields.bool(true).describe('Run mirror jobs in this process.'),
  MIRROR_JOB_LEASE_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(60_000)
    .describe(
      "A running job's lease (renewed at a third of it): when its replica dies, another resumes the job this long after.",
    ),
  SHUTDOWN_TIMEOUT_MS: configFields.shutdownTimeout(),
});

export type MirrorConfig = z.infer<typeof mirrorConfigSchema>;

export function readMirrorConfig(env: Env = process.env): MirrorConfig {
  return loadConfigOrExit(mirrorConfigSchema, env, 'mirror');
}
