import { z } from 'zod';
import { configFields, loadConfigOrExit, type Env } from '@gatehouse/service-kit';

const oauthAppSchema = z.object({
  client_id: z.string().min(1),
  client_secret: z.string().min(16),
  name: z.string().min(1),
  callback_url: z.url(),
});

export type OAuthAppConfig = z.infer<typeof oauthAppSchema>;

const jsonArray = <T extends z.ZodType>(item: T) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON array' });
        return z.NEVER;
      }
    })
    .pipe(z.array(item));

/** Every setting of the GitHub stand-in. The only place it reads the environment. */
export const sandboxConfigSchema = z.object({
  PORT: configFields.port(3003).describe('Port the stand-in listens on.'),
  HOST: z.string().default('0.0.0.0').describe('Address the stand-in binds to.'),
  LOG_LEVEL: configFields.logLevel().describe('pino log level.'),
  TRUSTED_PROXIES: configFields.trustedProxies(),
  PUBLIC_URL: z
    .url()
    .default('http://localhost:3003')
    .describe(
      'Base URL browsers and clients use for it, as https://github.com is for GitHub. OAuth and git live at its root, REST under /api/v3.',
    ),
  DATABASE_URL: z.string().optional().describe('Postgres URL. Unset: embedded PGlite in DATA_DIR.'),
  DATABASE_POOL_SIZE: configFields.databasePoolSize(),
  DATA_DIR: z
    .string()
    .default('.data/github-sandbox')
    .describe('Bare git repositories (repos/) and the embedded database.'),
  GITHUB_CLIENT_ID: z
    .string()
    .optional()
    .describe("Client id of an OAuth app registered at start (Gatehouse's own in the local run)."),
  GITHUB_CLIENT_SECRET: z
    .string()
    .min(16)
    .optional()
    .describe('Client secret of that app; shared with the mirror service.'),
  GITHUB_APP_NAME: z.string().default('Gatehouse').describe('Name the consent page shows for that app.'),
  GITHUB_CALLBACK_URL: z
    .url()
    .optional()
    .describe('Registered callback URL of that app, e.g. PUBLIC_URL/github/callback of Gatehouse.'),
  OAUTH_APPS: jsonArray(oauthAppSchema)
    .default([])
    .describe('More OAuth apps, as a JSON array of {client_id, client_secret, name, callback_url}.'),
  SANDBOX_ADMIN_TOKEN: z
    .string()
    .min(32, 'must be at least 32 characters')
    .optional()
    .describe(
      'Bearer token of the admin API (/_sandbox/: faults, users, test authorizations). Unset: the admin API is off.',
    ),
  RATE_LIMIT_PER_HOUR: z.coerce
    .number()
    .int()
    .positive()
    .default(5000)
    .describe("Primary rate limit per token, as GitHub's 5000."),
  GIT_BIN: z.string().default('git').describe('The git executable (git http-backend serves the repositories).'),
  SHUTDOWN_TIMEOUT_MS: configFields.shutdownTimeout(),
});

export type SandboxConfig = z.infer<typeof sandboxConfigSchema>;

export function readSandboxConfig(env: Env = process.env): SandboxConfig {
  return loadConfigOrExit(sandboxConfigSchema, env, 'github-sandbox');
}

/** The registered OAuth apps: the one named by GITHUB_CLIENT_* plus OAUTH_APPS. */
export function oauthAppsOf(config: SandboxConfig): OAuthAppConfig[] {
  const apps = [...config.OAUTH_APPS];
  if (config.GITHUB_CLIENT_ID && config.GITHUB_CLIENT_SECRET && config.GITHUB_CALLBACK_URL) {
    apps.unshift({
      client_id: config.GITHUB_CLIENT_ID,
      client_secret: config.GITHUB_CLIENT_SECRET,
      name: config.GITHUB_APP_NAME,
      callback_url: config.GITHUB_CALLBACK_URL,
    });
  }
  return apps;
}
