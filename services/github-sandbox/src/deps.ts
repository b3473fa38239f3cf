import type { Database } from '@gatehouse/db';
import type { Clock, Logger } from '@gatehouse/service-kit';
import type { RepoDisk } from './git/repo-disk.js';
import type { OAuthApps } from './oauth/apps.js';

export interface SandboxSettings {
  /** The web host: OAuth, git and pages at its root. */
  publicUrl: string;
  /** The REST base, publicUrl + /api/v3 as on GitHub Enterprise Server. */
  apiUrl: string;
  rateLimitPerHour: number;
  /** Unset: the admin API answers 404. */
  adminToken: string | undefined;
  trustedProxies: readonly string[];
}

/** Types only: what the stand-in's parts are built from. */
export interface SandboxDeps {
  settings: SandboxSettings;
  db: Database;
  clock: Clock;
  logger: Logger;
  apps: OAuthApps;
  disk: RepoDisk;
}
