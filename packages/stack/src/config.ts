import { isAbsolute, resolve as resolvePath } from 'node:path';
import { z } from 'zod';
import { loadConfig, type Env } from '@gatehouse/service-kit';
import { repoRoot } from './paths.js';
import type { ServiceEntry } from './service-entry.js';

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

/** The variable that moves one service's port in the local run, e.g. AUTH_PORT. */
export function servicePortVariable(service: string): string {
  return `${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_PORT`;
}

/**
 * Settings of the local run (`npm start`) and the e2e runner. The one place
 * the stack reads the environment; services read their own in their config.ts.
 */
export function stackConfigSchema(services: readonly ServiceEntry[]) {
  const servicePorts = Object.fromEntries(
    services.map((s) => [
      servicePortVariable(s.name),
      port(s.port).describe(
        s.standIn
          ? `Port of the ${s.name} stand-in's host in the local run: the front door's server for it (the process listens on a free port behind).`
          : `Port of the ${s.name} service in the local run.`,
      ),
    ]),
  );
  return z.object({
    GATEHOUSE_GATEWAY: z
      .enum(['auto', 'nginx', 'node'])
      .default('auto')
      .describe('Front door of the local run: nginx, the Node gateway, or auto (nginx when installed).'),
    GATEWAY_PORT: port(8080).describe('Port of the front door (nginx or the Node gateway).'),
    GATEWAY_HOST: z
      .string()
      .default('127.0.0.1')
      .describe('Address the front door binds to; 0.0.0.0 to reach it from other machines.'),
    PUBLIC_URL: z
      .url()
      .optional()
      .describe('Public base URL given to the services. Default: http://localhost:GATEWAY_PORT.'),
    ...servicePorts,
    MAIL_WEB_PORT: port(1080).describe("Port of the mail catcher's inbox (maildev web UI and REST API)."),
    MAIL_SMTP_PORT: port(1025).describe("Port of the mail catcher's SMTP server."),
    GATEHOUSE_DATA_DIR: z
      .string()
      .default('.data')
      .describe(
        'Data of the local run (databases, generated secrets, nginx prefix); relative paths start at the repository.',
      ),
    NGINX_BIN: z
      .string()
      .optional()
      .describe('The nginx binary. Default: nginx on PATH, else /usr/sbin/nginx and similar.'),
    GATEHOUSE_REPLICAS: z.coerce
      .number()
      .int()
      .min(1)
      .max(8)
      .default(1)
      .describe(
        'Processes per service behind the edge (auth, web, mirror) in the local run; above 1 needs DATABASE_URL and nginx.',
      ),
    DATABASE_URL: z
      .string()
      .optional()
      .describe(
        'Postgres server for the local run with GATEHOUSE_REPLICAS above 1 (each service gets the database <name>_<service>, created when missing). Ignored with one replica: PGlite.',
      ),
    REDIS_URL: z
      .string()
      .optional()
      .describe(
        'Redis for the local run with GATEHOUSE_REPLICAS above 1 (optional: Postgres carries it all). Ignored with one replica.',
      ),
    GATEHOUSE_LOG_FORMAT: z
      .enum(['pretty', 'json'])
      .default('pretty')
      .describe("pretty: one readable line per log entry; json: services' raw pino lines."),
  });
}

export interface StackConfig {
  gateway: 'auto' | 'nginx' | 'node';
  gatewayPort: number;
  gatewayHost: string;
  publicUrl: string;
  servicePorts: Record<string, number>;
  mailWebPort: number;
  mailSmtpPort: number;
  dataDir: string;
  nginxBin: string | undefined;
  logFormat: 'pretty' | 'json';
  /** Processes per replicated service (1: the single-process run on PGlite). */
  replicas: number;
  /** The shared Postgres server of a replicated run. */
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** The environment services inherit (the caller's, minus what the stack manages). */
  env: Env;
}

export function readStackConfig(services: readonly ServiceEntry[], env: Env = process.env): StackConfig {
  const c = loadConfig(stackConfigSchema(services), env) as Record<string, unknown> &
    z.infer<ReturnType<typeof stackConfigSchema>>;
  return {
    gateway: c.GATEHOUSE_GATEWAY,
    gatewayPort: c.GATEWAY_PORT,
    gatewayHost: c.GATEWAY_HOST,
    publicUrl: c.PUBLIC_URL ?? `http://localhost:${c.GATEWAY_PORT}`,
    servicePorts: Object.fromEntries(services.map((s) => [s.name, c[servicePortVariable(s.name)] as number])),
    mailWebPort: c.MAIL_WEB_PORT,
    mailSmtpPort: c.MAIL_SMTP_PORT,
    dataDir: isAbsolute(c.GATEHOUSE_DATA_DIR) ? c.GATEHOUSE_DATA_DIR : resolvePath(repoRoot, c.GATEHOUSE_DATA_DIR),
    nginxBin: c.NGINX_BIN,
    logFormat: c.GATEHOUSE_LOG_FORMAT,
    replicas: c.GATEHOUSE_REPLICAS,
    databaseUrl: c.DATABASE_URL,
    redisUrl: c.REDIS_URL,
    env: { ...env },
  };
}
