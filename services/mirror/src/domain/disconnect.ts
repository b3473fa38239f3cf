import type { MirrorDeps } from '../deps.js';
import { GithubError } from '../github/github-error.js';
import type { SealedToken } from '../github/token-cipher.js';
import { deleteConnection } from '../store/connections.js';
import {
  claimDueRevocations,
  deleteRevocation,
  postponeRevocation,
  queueRevocation,
  revocationAad,
} from '../store/revocations.js';
import { recordTokenUse } from '../store/token-uses.js';
import { connectionAad } from './github-session.js';

type DisconnectDeps = Pick<MirrorDeps, 'db' | 'clock' | 'github' | 'cipher' | 'logger'>;

/**
 * Deletes the stored token and, in the same transaction, queues the grant's
 * revocation; then tries the revocation at once. If GitHub is unreachable the
 * token is gone here anyway and the outbox retries.
 */
export async function disconnect(deps: DisconnectDeps, userId: string): Promise<{ revoked: boolean }> {
  const now = deps.clock.now();
  const queued = await deps.db.transaction(async (tx) => {
    const row = await deleteConnection(tx, userId);
    if (!row) return false;
    const token = deps.cipher.open(row, connectionAad(userId));
    await queueRevocation(tx, deps.cipher.seal(token, revocationAad), now);
    await recordTokenUse(tx, userId, {
      purpose: 'disconnect',
      endpoint: 'DELETE /applications/{client_id}/grant',
      status: null,
      request_id: null,
      at: now,
    });
    return true;
  });
  if (!queued) return { revoked: false };
  const { done } = await drainRevocations(deps);
  return { revoked: done > 0 };
}

const leaseMs = 60_000;
const maxBackoffMs = 6 * 3600 * 1000;

/** Sends due revocations; a grant GitHub no longer knows (404/422) counts as revoked. */
export async function drainRevocations(deps: DisconnectDeps): Promise<{ done: number; postponed: number }> {
  const now = deps.clock.now();
  const rows = await claimDueRevocations(deps.db, now, new Date(now.getTime() + leaseMs), 20);
  let done = 0;
  let postponed = 0;
  for (const row of rows) {
    const outcome = await revokeGrant(deps, row);
    if (outcome === 'done') {
      await deleteRevocation(deps.db, row.id);
      done += 1;
    } else {
      const backoff = Math.min(maxBackoffMs, 30_000 * 2 ** row.attempts) * (0.5 + Math.random() / 2);
      await postponeRevocation(deps.db, row.id, new Date(deps.clock.now().getTime() + backoff));
      postponed += 1;
    }
  }
  return { done, postponed };
}

async function revokeGrant(deps: DisconnectDeps, sealed: SealedToken): Promise<'done' | 'retry'> {
  try {
    const token = deps.cipher.open(sealed, revocationAad);
    await deps.github.api('DELETE', `/applications/${encodeURIComponent(deps.github.options.clientId)}/grant`, {
      appAuth: true,
      json: { access_token: token },
    });
    return 'done';
  } catch (err) {
    if (err instanceof GithubError && (err.failure === 'not_found' || err.failure === 'unprocessable')) return 'done';
    deps.logger.warn({ err: (err as Error).message }, 'GitHub grant revocation failed; will retry');
    return 'retry';
  }
}
