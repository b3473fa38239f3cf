import { join } from 'node:path';
import type { StackConfig } from '../config.js';
import type { ServiceEntry, StackAddresses } from '../service-entry.js';

// Variables the local run never passes through: it is self-contained (PGlite,
// no Redis) whatever the shell exports.
const dropped = ['DATABASE_URL', 'REDIS_URL', 'DATABASE_URL_FILE', 'REDIS_URL_FILE'];

export function unknownService(name: string): never {
  throw new Error(`no service named "${name}" in the service list`);
}

export function baseEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const out = { ...env };
  for (const key of dropped) delete out[key];
  return out;
}

function serviceEntryFileEnv(
  entry: ServiceEntry,
  files: Record<string, string>,
  exported: Record<string, string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of entry.secrets ?? []) if (!(name in exported)) out[`${name}_FILE`] = files[name]!;
  return out;
}

/**
 * One service's environment in the local run: the caller's (minus the
 * dropped variables and the values of its secrets), its data
 * directory, the mail catcher, its secrets as files and its links — except
 * that `exported` (the real host's variables, see selectLocalServices) wins
 * over links and secret files for the keys this service reads. Not PORT: the
 * replica set gives each process its own (a stand-in's is behind its door).
 */
export function serviceEnv(
  entry: ServiceEntry,
  config: StackConfig,
  files: Record<string, string>,
  addresses: StackAddresses,
  exported: Record<string, string> = {},
): Record<string, string | undefined> {
  const env = baseEnv(config.env);
  for (const name of entry.secrets ?? []) delete env[name];
  const links = entry.links?.(addresses) ?? {};
  const wanted = new Set<string>([...Object.keys(links), ...(entry.secrets ?? [])]);
  return {
    ...env,
    HOST: '127.0.0.1',
    PUBLIC_URL: config.publicUrl,
    DATA_DIR: join(config.dataDir, entry.name),
    ...(entry.smtp ? { SMTP_URL: `smtp://127.0.0.1:${config.mailSmtpPort}` } : {}),
    ...serviceEntryFileEnv(entry, files, exported),
    ...links,
    ...Object.fromEntries(Object.entries(exported).filter(([key]) => wanted.has(key))),
  };
}
