import type { Queryable } from '@gatehouse/db';
import type { SealedToken } from '../github/token-cipher.js';

export interface RevocationRow extends SealedToken {
  id: string;
  attempts: number;
}

/** AAD of a token waiting in the revocation outbox (its user row is gone). */
export const revocationAad = 'github-revocation';

export const queueRevocation = (q: Queryable, sealed: SealedToken, now: Date) =>
  q.query(
    `INSERT INTO github_revocations (key_id, token_iv, token_ciphertext, token_tag, next_attempt_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $5)`,
    [sealed.key_id, sealed.token_iv, sealed.token_ciphertext, sealed.token_tag, now],
  );

/**
 * Claims due rows by pushing their next attempt past a lease, in one statement:
 * replicas never send one twice, and no transaction stays open across the HTTP call.
 */
export async function claimDueRevocations(
  q: Queryable,
  now: Date,
  leaseUntil: Date,
  limit: number,
): Promise<RevocationRow[]> {
  const { rows } = await q.query<RevocationRow>(
    `UPDATE github_revocations SET next_attempt_at = $2, attempts = attempts + 1
     WHERE id IN (SELECT id FROM github_revocations WHERE next_attempt_at <= $1 ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
     RETURNING id, key_id, token_iv, token_ciphertext, token_tag, attempts`,
    [now, leaseUntil, limit],
  );
  return rows;
}

export const deleteRevocation = (q: Queryable, id: string) =>
  q.query('DELETE FROM github_revocations WHERE id = $1', [id]);

export const postponeRevocation = (q: Queryable, id: string, next: Date) =>
  q.query('UPDATE github_revocations SET next_attempt_at = $2 WHERE id = $1', [id, next]);
