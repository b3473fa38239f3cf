import type { Queryable } from '@gatehouse/db';

export interface OauthStateRow {
  state_hash: string;
  binding_hash: string;
  purpose: 'signin' | 'connect';
  user_id: string | null;
  code_verifier: string;
  scope: string;
  created_at: Date;
}

export const insertOauthState = (q: Queryable, row: OauthStateRow) =>
  q.query(
    `INSERT INTO oauth_states (state_hash, binding_hash, purpose, user_id, code_verifier, scope, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [row.state_hash, row.binding_hash, row.purpose, row.user_id, row.code_verifier, row.scope, row.created_at],
  );

/** Single use: the row is deleted by the first finish, whatever the outcome. */
export async function takeOauthState(q: Queryable, stateHash: string): Promise<OauthStateRow | undefined> {
  const { rows } = await q.query<OauthStateRow>('DELETE FROM oauth_states WHERE state_hash = $1 RETURNING *', [
    stateHash,
  ]);
  return rows[0];
}

export const deleteOauthStatesBefore = (q: Queryable, before: Date) =>
  q.query('DELETE FROM oauth_states WHERE created_at < $1', [before]);
