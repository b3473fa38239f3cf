import type { Queryable } from '@gatehouse/db';

/** Blacklists an access token's jti until it would have expired anyway. */
export async function insertRevokedJti(q: Queryable, jti: string, expiresAt: Date): Promise<void> {
  await q.query('INSERT INTO revoked_tokens (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING', [
    jti,
    expiresAt,
  ]);
}

/** The jtis still blacklisted at `now`: what a revocation cache must hold. */
export async function revokedJtisAt(q: Queryable, now: Date): Promise<{ jti: string; expires_at: Date }[]> {
  const { rows } = await q.query<{ jti: string; expires_at: Date }>(
    'SELECT jti, expires_at FROM revoked_tokens WHERE expires_at > $1',
    [now],
  );
  return rows;
}

/** An SQL expression: whether the jti in the parameter `jtiParam` (e.g. '$1') is blacklisted. */
export const jtiRevokedSql = (jtiParam: string) => `EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = ${jtiParam})`;

/** Drops blacklist rows whose token has expired anyway: verifiers refuse it by `exp`. */
export async function deleteExpiredRevokedJtis(q: Queryable, now: Date): Promise<number> {
  const { rowCount } = await q.query('DELETE FROM revoked_tokens WHERE expires_at <= $1', [now]);
  return rowCount;
}
