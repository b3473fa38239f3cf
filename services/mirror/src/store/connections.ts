import type { Queryable } from '@gatehouse/db';
import type { SealedToken } from '../github/token-cipher.js';

export interface ConnectionRow extends SealedToken {
  user_id: string;
  github_id: string;
  login: string;
  scope: string;
  broken_at: Date | null;
  connected_at: Date;
}

export const upsertConnection = (q: Queryable, row: Omit<ConnectionRow, 'broken_at'>) =>
  q.query(
    `INSERT INTO github_connections (user_id, github_id, login, scope, key_id, token_iv, token_ciphertext, token_tag, connected_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (user_id) DO UPDATE SET github_id = $2, login = $3, scope = $4, key_id = $5, token_iv = $6,
       token_ciphertext = $7, token_tag = $8, connected_at = $9, broken_at = NULL`,
    [
      row.user_id,
      row.github_id,
      row.login,
      row.scope,
      row.key_id,
      row.token_iv,
      row.token_ciphertext,
      row.token_tag,
      row.connected_at,
    ],
  );

export async function findConnection(q: Queryable, userId: string): Promise<ConnectionRow | undefined> {
  const { rows } = await q.query<ConnectionRow>('SELECT * FROM github_connections WHERE user_id = $1', [userId]);
  return rows[0];
}

export const markConnectionBroken = (q: Queryable, userId: string, at: Date) =>
  q.query('UPDATE github_connections SET broken_at = $2 WHERE user_id = $1 AND broken_at IS NULL', [userId, at]);

export async function deleteConnection(q: Queryable, userId: string): Promise<ConnectionRow | undefined> {
  const { rows } = await q.query<ConnectionRow>('DELETE FROM github_connections WHERE user_id = $1 RETURNING *', [
    userId,
  ]);
  return rows[0];
}
