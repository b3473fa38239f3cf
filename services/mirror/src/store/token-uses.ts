import type { Queryable } from '@gatehouse/db';

export interface TokenUse {
  purpose: string;
  endpoint: string;
  status: number | null;
  request_id: string | null;
  at: Date;
}

export const recordTokenUse = (q: Queryable, userId: string, use: TokenUse) =>
  q.query(
    'INSERT INTO github_token_uses (user_id, purpose, endpoint, status, request_id, at) VALUES ($1, $2, $3, $4, $5, $6)',
    [userId, use.purpose, use.endpoint, use.status, use.request_id, use.at],
  );

export async function listTokenUses(q: Queryable, userId: string, limit = 50): Promise<TokenUse[]> {
  const { rows } = await q.query<TokenUse>(
    'SELECT purpose, endpoint, status, request_id, at FROM github_token_uses WHERE user_id = $1 ORDER BY id DESC LIMIT $2',
    [userId, limit],
  );
  return rows;
}
