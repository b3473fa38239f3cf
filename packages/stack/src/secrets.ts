import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServiceEntry } from './service-entry.js';

/**
 * Secrets are generated on first use and kept as files, one per secret, in
 * a directory only the owner can enter. Services get their path (KEY_FILE),
 * never the value, so no secret sits in an environment or a process list.
 * compose mounts the same files as `secrets`.
 */

/** The file a secret lives in: its key in lower case. */
export function secretFileName(name: string): string {
  return name.toLowerCase();
}

export type SecretKind = 'random' | 'ec-p256-pem' | 'token-keys';

/** Every secret a service may read (a service entry names which), and how it is made: the one list of names. */
export const secretKinds = {
  PASSWORD_PEPPER: 'random',
  SERVICE_SECRET: 'random',
  SESSION_SECRET: 'random',
  // The GitHub stand-in's registration of Gatehouse's OAuth app, shared with the mirror service.
  GITHUB_CLIENT_SECRET: 'random',
  SANDBOX_ADMIN_TOKEN: 'random',
  // The mirror service's GitHub-token encryption keys: `id:<base64 of 32 bytes>`, newest first.
  GITHUB_TOKEN_KEYS: 'token-keys',
  // The auth service's signing key: one shared by every replica (ES256, as auth generates by default).
  JWT_PRIVATE_KEY: 'ec-p256-pem',
} as const satisfies Record<string, SecretKind>;

export type SecretName = keyof typeof secretKinds;

// Compose's Postgres password is the stack's own, read by no service.
const kinds: Record<SecretName | 'POSTGRES_PASSWORD', SecretKind> = { ...secretKinds, POSTGRES_PASSWORD: 'random' };

function generate(kind: SecretKind): string {
  if (kind === 'ec-p256-pem') {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  }
  if (kind === 'token-keys') return `k1:${randomBytes(32).toString('base64')}`;
  // 256 bits; 43 characters, above every service's 32-character minimum.
  return randomBytes(32).toString('base64url');
}

/** Every secret the listed services read. */
export function serviceSecrets(services: readonly ServiceEntry[]): SecretName[] {
  return [...new Set(services.flatMap((s) => s.secrets ?? []))].sort();
}

/** The database URL secret of one service in compose (its own database on the compose Postgres). */
export function databaseUrlSecret(service: string): string {
  return `DATABASE_URL_${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

export interface EnsureSecretsOptions {
  dir: string;
  names: readonly (SecretName | 'POSTGRES_PASSWORD')[];
  /** Also write DATABASE_URL_<SERVICE> files for these services (compose only). */
  databaseServices?: readonly string[];
  /** Mode of the secret files. 0600 for the local run; compose needs them readable by the container user. */
  fileMode?: number;
}

/**
 * Creates what is missing, keeps what exists. Returns the path of each
 * secret file by name, and which ones were created now.
 */
export async function ensureSecrets(
  options: EnsureSecretsOptions,
): Promise<{ files: Record<string, string>; created: string[] }> {
  const mode = options.fileMode ?? 0o600;
  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  await chmod(options.dir, 0o700);
  const files: Record<string, string> = {};
  const created: string[] = [];
  const names = new Set(options.names);
  if (options.databaseServices?.length) names.add('POSTGRES_PASSWORD');
  for (const name of [...names].sort()) {
    const path = join(options.dir, secretFileName(name));
    files[name] = path;
    if (await exists(path)) {
      await chmod(path, mode);
      continue;
    }
    try {
      // 'wx': two runs starting at once must not overwrite each other's secret.
      await writeFile(path, generate(kinds[name]), { mode, flag: 'wx' });
      created.push(name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  if (options.databaseServices?.length) {
    const password = (await readFile(files.POSTGRES_PASSWORD!, 'utf8')).trim();
    for (const service of options.databaseServices) {
      const name = databaseUrlSecret(service);
      const path = join(options.dir, secretFileName(name));
      files[name] = path;
      // Derived from the password, so rewritten whenever it would differ.
      const url = `postgres://gatehouse:${encodeURIComponent(password)}@postgres:5432/${service}`;
      const current = (await exists(path)) ? await readFile(path, 'utf8') : undefined;
      if (current !== url) {
        await writeFile(path, url, { mode });
        if (current === undefined) created.push(name);
      }
      await chmod(path, mode);
    }
  }
  return { files, created };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
