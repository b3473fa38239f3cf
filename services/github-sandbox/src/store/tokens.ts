import type { Queryable } from '@gatehouse/db';

export interface TokenRow {
  id: number;
  client_id: string;
  user_id: number;
  scope: string;
}

/** GitHub keeps ten live tokens per user, app and scope; the eleventh revokes the oldest. */
export const tokensPerGrant = 10;

/** Every statement on sandbox_tokens lives here. */
export async function insertToken(
  q: Queryable,
  tokenHash: string,
  grant: Omit<TokenRow, 'id'>,
  now: Date,
): Promise<void> {
  await q.query(
    'INSERT INTO sandbox_tokens (token_hash, client_id, user_id, scope, created_at) VALUES ($1, $2, $3, $4, $5)',
    [tokenHash, grant.client_id, grant.user_id, grant.scope, now],
  );
  await q.query(
    `UPDATE sandbox_tokens SET revoked_at = $5 WHERE id IN (
       SELECT id FROM sandbox_tokens WHERE user_id = $1 AND client_id = $2 AND scope = $3 AND revoked_at IS NULL
       ORDER BY created_at DESC, id DESC OFFSET $4)`,
    [grant.user_id, grant.client_id, grant.scope, tokensPerGrant, now],
  );
}

export async function findLiveToken(q: Queryable, tokenHash: string): Promise<TokenRow | undefined> {
  const { rows } = await q.query<TokenRow>(
    'SELECT id::int AS id, client_id, user_id::int AS user_id, scope FROM sandbox_tokens WHERE token_hash = $1 AND revoked_at IS NULL',
    [tokenHash],
  );
  return rows[0];
}

/** Revokes one token of this app; false when there was no live one. */
export async function revokeToken(q: Queryable, tokenHash: string, clientId: string, now: Date): Promise<boolean> {
  const { rowCount } = await q.query(
    'UPDATE sandbox_tokens SET revoked_at = $3 WHERE token_hash = $1 AND client_id = $2 AND revoked_at IS NULL',
    [tokenHash, clientId, now],
  );
  return rowCount > 0;
}

/** Revokes every token the user gave this app (the grant). */
export async function revokeGrant(q: Queryable, userId: number, clientId: string, now: Date): Promise<number> {
  const { rowCount } = await q.query(
    'UPDATE sandbox_tokens SET revoked_at = $3 WHERE user_id = $1 AND client_id = $2 AND revoked_at IS NULL',
    [userId, clientId, now],
  );
  return rowCount;
}
