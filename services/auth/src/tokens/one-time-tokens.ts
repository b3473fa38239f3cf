import type { Queryable } from '@gatehouse/db';
import { passwordChangedAtSql } from '../users/users.js';
import { hashSecretToken, newSecretToken } from './secret-token.js';

export type OneTimePurpose = 'confirm_email' | 'reset_password';

export async function createOneTimeToken(
  q: Queryable,
  purpose: OneTimePurpose,
  userId: string,
  now: Date,
  ttlMs: number,
): Promise<string> {
  const { token, hash } = newSecretToken();
  await q.query(
    'INSERT INTO one_time_tokens (token_hash, purpose, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
    [hash, purpose, userId, now, new Date(now.getTime() + ttlMs)],
  );
  return token;
}

/**
 * A reset link dies with any change of the password after it was issued,
 * whoever made the change: the check sits in the query, not in each caller.
 */
const stillValid = (purpose: OneTimePurpose) =>
  purpose === 'reset_password' ? `AND created_at >= ${passwordChangedAtSql('user_id')}` : '';

/**
 * The user a still-valid token belongs to. With `consume`, the token is
 * marked used in the same statement, so it works exactly once.
 */
export async function redeemOneTimeToken(
  q: Queryable,
  purpose: OneTimePurpose,
  token: string,
  now: Date,
  options: { consume: boolean },
): Promise<string | undefined> {
  const hash = hashSecretToken(token);
  const { rows } = options.consume
    ? await q.query<{ user_id: string }>(
        `UPDATE one_time_tokens SET used_at = $3
         WHERE token_hash = $1 AND purpose = $2 AND expires_at > $3 AND used_at IS NULL ${stillValid(purpose)}
         RETURNING user_id`,
        [hash, purpose, now],
      )
    : await q.query<{ user_id: string }>(
        `SELECT user_id FROM one_time_tokens
         WHERE token_hash = $1 AND purpose = $2 AND expires_at > $3 ${stillValid(purpose)}`,
        [hash, purpose, now],
      );
  return rows[0]?.user_id;
}

/** Other outstanding tokens of the purpose stop working once one is used (e.g. older reset links). */
export async function retireOneTimeTokens(
  q: Queryable,
  purpose: OneTimePurpose,
  userId: string,
  now: Date,
): Promise<void> {
  await q.query('UPDATE one_time_tokens SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL', [
    userId,
    purpose,
    now,
  ]);
}

/** A still-unexpired token of the purpose, used or not: who it belongs to and whether it was spent. */
export async function findOneTimeToken(
  q: Queryable,
  purpose: OneTimePurpose,
  token: string,
  now: Date,
): Promise<{ userId: string; used: boolean } | undefined> {
  const { rows } = await q.query<{ user_id: string; used: boolean }>(
    `SELECT user_id, used_at IS NOT NULL AS used FROM one_time_tokens
     WHERE token_hash = $1 AND purpose = $2 AND expires_at > $3`,
    [hashSecretToken(token), purpose, now],
  );
  const row = rows[0];
  return row ? { userId: row.user_id, used: row.used } : undefined;
}

/**
 * Removes tokens that can no longer be redeemed: expired ones, and used ones
 * once `usedBefore` has passed (until then a used link can still say
 * "already confirmed" rather than "invalid").
 */
export async function deleteSpentOneTimeTokens(q: Queryable, now: Date, usedBefore: Date): Promise<number> {
  const { rowCount } = await q.query('DELETE FROM one_time_tokens WHERE expires_at <= $1 OR used_at < $2', [
    now,
    usedBefore,
  ]);
  return rowCount;
}
