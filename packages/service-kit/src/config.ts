import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { defaultTrustedProxies, proxyEntryProblem } from './trusted-proxies.js';

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Validates the environment against a service's schema. Every key may also
 * come from `KEY_FILE`, the path of a file holding it (Docker secrets), so a
 * secret never has to sit in the environment.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: Env): z.infer<S> {
  const problems: string[] = [];
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) {
    const direct = env[key];
    const file = env[`${key}_FILE`];
    if (direct !== undefined && file !== undefined) {
      problems.push(`${key}: set ${key} or ${key}_FILE, not both`);
      continue;
    }
    if (file !== undefined) {
      try {
        input[key] = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
      } catch (err) {
        problems.push(`${key}_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      continue;
    }
    // An empty variable means "not set", as compose writes `KEY=` for unset ones.
    input[key] = direct === '' ? undefined : direct;
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? '(config)');
      const missing = input[key] === undefined;
      problems.push(missing ? `${key}: required; set ${key} or ${key}_FILE` : `${key}: ${issue.message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return (result as { data: z.infer<S> }).data;
}

/** For server.ts: a bad config is a clear message and exit code 1, never a stack trace. */
export function loadConfigOrExit<S extends z.ZodObject>(schema: S, env: Env, service: string): z.infer<S> {
  try {
    return loadConfig(schema, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${service}: ${err.message}\n`);
    process.exit(1);
  }
}

export interface ConfigDoc {
  key: string;
  default: string | undefined;
  description: string;
  required: boolean;
}

/** The schema as documentation rows, for the README's configuration table. */
export function describeConfig(schema: z.ZodObject): ConfigDoc[] {
  return Object.entries(schema.shape).map(([key, field]) => {
    const type = field as z.ZodType;
    const parsed = type.safeParse(undefined);
    const fallback = parsed.success && parsed.data !== undefined ? String(parsed.data) : undefined;
    return { key, default: fallback, description: type.description ?? '', required: !parsed.success };
  });
}

/** Common field shapes, so services spell them the same way. */
export const configFields = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Every service's drain time on SIGTERM, described once. */
  shutdownTimeout: () =>
    z.coerce
      .number()
      .int()
      .min(0)
      .default(10_000)
      .describe('How long requests in flight may take to finish on SIGTERM.'),
  /** Every service's Postgres pool size, described once. */
  databasePoolSize: () =>
    z.coerce
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(10)
      .describe(
        "Postgres connections this process may open. Replicas of every service together must fit the server's max_connections (100 unless raised).",
      ),
  /** Every service's TRUSTED_PROXIES, described once: the peers whose X-Forwarded-* headers count. */
  trustedProxies: () =>
    z
      .string()
      .default(defaultTrustedProxies)
      .transform((text) =>
        text
          .split(',')
          .map((entry) => entry.trim())
          .filter((entry) => entry !== ''),
      )
      .superRefine((entries, ctx) => {
        for (const entry of entries) {
          const problem = proxyEntryProblem(entry);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }
      })
      .describe(
        'Addresses or CIDRs (comma-separated) of the proxies in front of this service (nginx, web); X-Forwarded-For from any other peer is ignored.',
      ),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1'),
};
