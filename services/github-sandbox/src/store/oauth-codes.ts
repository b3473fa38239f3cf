import type { Queryable } from '@gatehouse/db';

export interface OAuthCode {
  client_id: string;
  user_id: number;
  scope: string;
  redirect_uri: string;
  code_challenge: string | null;
}

/** GitHub's codes live ten minutes. */
export const codeLifetimeMs = 10 * 60 * 1000;

/** Every statement on sandbox_oauth_codes lives here. */
export async function insertCode(q: Queryable, codeHash: string, code: OAuthCode, now: Date): Promise<void> {
  await q.query(
    `INSERT INTO sandbox_oauth_codes (code_hash, client_id, user_id, scope, redirect_uri, code_challenge, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [codeHash, code.client_id, code.user_id, code.scope, code.redirect_uri, code.code_challenge, now],
  );
}

/** Marks the code used in the same statement that reads it, so two exchanges cannot both win. */
export async function consumeCode(
  q: Queryable,
  codeHash: string,
  clientId: string,
  now: Date,
): Promise<OAuthCode | undefined> {
  const { rows } = await q.query<OAuthCode>(
    `UPDATE sandbox_oauth_codes SET used_at = $3
     WHERE code_hash = $1 AND client_id = $2 AND used_at IS NULL AND created_at > $4
     RETURNING client_id, user_id::int AS user_id, scope, redirect_uri, code_challenge`,
    [codeHash, clientId, now, new Date(now.getTime() - codeLifetimeMs)],
  );
  return rows[0];
}
