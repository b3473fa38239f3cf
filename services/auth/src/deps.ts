import type { Database } from '@gatehouse/db';
import type { Clock, Logger } from '@gatehouse/service-kit';
import type { Audit } from './audit/audit.js';
import type { CommonPasswords } from './passwords/password-policy.js';
import type { PasswordHasher } from './passwords/password-hasher.js';
import type { Throttle } from './throttle/throttle.js';
import type { AccessTokens } from './tokens/access-tokens.js';
import type { DeviceTokens } from './tokens/device-tokens.js';
import type { KeyStore } from './tokens/key-store.js';
import type { RefreshSettings } from './tokens/refresh-tokens.js';
import type { RevocationFeed } from './tokens/revocation-feed.js';
import type { TokenStatus } from './tokens/token-status.js';

export interface AuthSettings {
  publicUrl: string;
  accessTtlSeconds: number;
  refresh: RefreshSettings;
  confirmTtlMs: number;
  /** How long an account whose address was never confirmed is kept. */
  unconfirmedTtlMs: number;
  auditRetentionMs: number;
  resetTtlMs: number;
  serviceSecret: string;
  trustedProxies: readonly string[];
  /** Longest slowdown of a login on an identifier under attack (LOGIN_SLOWDOWN_MAX_MS). */
  loginSlowdownMaxMs: number;
}

/** Everything the auth app needs, built once by the runtime and passed in. */
export interface AuthDeps {
  settings: AuthSettings;
  db: Database;
  logger: Logger;
  clock: Clock;
  passwords: PasswordHasher;
  commonPasswords: CommonPasswords;
  keys: KeyStore;
  accessTokens: AccessTokens;
  tokenStatus: TokenStatus;
  /** Publishes every revocation to verifiers in other services. */
  revocationFeed: RevocationFeed;
  throttle: Throttle;
  deviceTokens: DeviceTokens;
  audit: Audit;
  /** Wakes the outbox worker after a mail was queued. */
  mailQueued: () => void;
}
