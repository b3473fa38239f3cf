import type { Database } from '@gatehouse/db';
import type { Clock, Logger } from '@gatehouse/service-kit';
import type { GithubClient } from './github/github-client.js';
import type { TokenCipher } from './github/token-cipher.js';
import type { SourceTree } from './mirror/source-tree.js';

/** The access-token claims mirror relies on. */
export interface BearerClaims {
  sub: string;
  jti: string;
  exp: number;
}

export type Verdict = { ok: true; claims: BearerClaims } | { ok: false; reason: string };

/** The part of `@gatehouse/token-verifier` mirror uses (verify never throws). */
export interface AccessTokenVerifier {
  verify(token: string): Promise<Verdict>;
  /** Called whenever a token may have been revoked; returns an unsubscribe function. */
  onRevoked(listener: (event: unknown) => void): () => void;
}

export interface MirrorSettings {
  publicUrl: string;
  serviceSecret: string;
  defaultRepoName: string;
  /** Scratch space for mirror packs (one bare repository per job). */
  workDir: string;
  trustedProxies: readonly string[];
}

/** Everything the mirror app needs, built once by the runtime and passed in. */
export interface MirrorDeps {
  settings: MirrorSettings;
  db: Database;
  logger: Logger;
  clock: Clock;
  github: GithubClient;
  cipher: TokenCipher;
  verifier: AccessTokenVerifier;
  source: SourceTree;
  /** Wakes the job worker (a job was queued). */
  jobQueued: () => void;
  /** Wakes the revocation outbox (a disconnect left a grant to revoke). */
  revocationQueued: () => void;
}
