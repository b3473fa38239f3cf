import type { AuthDeps } from '../deps.js';
import { deleteAuditEventsBefore } from '../audit/audit.js';
import { deleteStaleThrottleRows, longestThrottleWindowMs } from '../throttle/throttle.js';
import { deleteSpentOneTimeTokens } from '../tokens/one-time-tokens.js';
import { deleteExpiredRevokedJtis } from '../tokens/revoked-tokens.js';
import { deleteUnconfirmedUsers } from '../users/users.js';

/** Any constant works, as long as nothing else in the database takes the same advisory lock. */
export const purgeLockKey = 0x6761_7465; // "gate"
/** How long a used link keeps answering "already confirmed" before it is deleted. */
const usedTokenKeepMs = 24 * 3_600_000;

export interface PurgeCounts {
  unconfirmedUsers: number;
  oneTimeTokens: number;
  revokedTokens: number;
  throttleRows: number;
  auditEvents: number;
}

type PurgeDeps = Pick<AuthDeps, 'db' | 'clock' | 'settings'>;

/**
 * Deletes what is past its use, in one transaction under an advisory lock:
 * every replica runs the job, and while one holds the lock the others skip
 * their turn. Undefined when another replica was purging.
 */
export async function purgeOnce(deps: PurgeDeps): Promise<PurgeCounts | undefined> {
  const now = deps.clock.now();
  const ago = (ms: number) => new Date(now.getTime() - ms);
  return deps.db.transaction(async (tx) => {
    const { rows } = await tx.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [
      purgeLockKey,
    ]);
    if (!rows[0]?.locked) return undefined;
    return {
      unconfirmedUsers: await deleteUnconfirmedUsers(tx, ago(deps.settings.unconfirmedTtlMs)),
      oneTimeTokens: await deleteSpentOneTimeTokens(tx, now, ago(usedTokenKeepMs)),
      revokedTokens: await deleteExpiredRevokedJtis(tx, now),
      throttleRows: await deleteStaleThrottleRows(tx, now, ago(longestThrottleWindowMs)),
      auditEvents: await deleteAuditEventsBefore(tx, ago(deps.settings.auditRetentionMs)),
    };
  });
}

/** Runs the purge now and every `intervalMs`; a failed pass is logged and the next one tried. */
export function startPurge(deps: PurgeDeps & Pick<AuthDeps, 'logger'>, intervalMs: number): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const pass = () => {
    running ??= purgeOnce(deps)
      .then((counts) => {
        if (counts && Object.values(counts).some((n) => n > 0)) deps.logger.info({ purged: counts }, 'purge');
      })
      .catch((err: unknown) => deps.logger.warn({ err: (err as Error).message }, 'purge failed; will retry'))
      .finally(() => {
        running = undefined;
      });
  };
  const first = setTimeout(pass, 0);
  const timer = setInterval(pass, intervalMs);
  first.unref();
  timer.unref();
  return {
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
