import type { Queryable } from '@gatehouse/db';

/** A GitHub account linked to a Gatehouse account. Every statement on `github_identities` lives here. */
export interface GithubIdentity {
  github_id: number;
  user_id: string;
  login: string;
  linked_at: Date;
}

const columns = 'github_id::float8 AS github_id, user_id, login, linked_at';

export async function findIdentityByGithubId(q: Queryable, githubId: number): Promise<GithubIdentity | undefined> {
  const { rows } = await q.query<GithubIdentity>(`SELECT ${columns} FROM github_identities WHERE github_id = $1`, [
    githubId,
  ]);
  return rows[0];
}

/**
 * Serialises every change about one GitHub id until the transaction ends, so
 * two first sign-ins at once create one account, not two.
 */
export async function lockGithubId(q: Queryable, githubId: number): Promise<void> {
  await q.query(`SELECT pg_advisory_xact_lock(hashtextextended('github_identity:' || $1::text, 0))`, [githubId]);
}

/**
 * Links `githubId` to `userId`, replacing any other GitHub account that user
 * had linked. Returns false, changing nothing, when the id belongs to another user.
 */
export async function linkIdentity(
  q: Queryable,
  userId: string,
  githubId: number,
  login: string,
  now: Date,
): Promise<boolean> {
  const { rows } = await q.query<{ user_id: string }>(
    `INSERT INTO github_identities (github_id, user_id, login, linked_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (github_id) DO UPDATE SET login = EXCLUDED.login
       WHERE github_identities.user_id = EXCLUDED.user_id
     RETURNING user_id`,
    [githubId, userId, login, now],
  );
  return rows.length === 1;
}

export async function unlinkOtherIdentities(q: Queryable, userId: string, keepGithubId: number): Promise<void> {
  await q.query('DELETE FROM github_identities WHERE user_id = $1 AND github_id <> $2', [userId, keepGithubId]);
}

/** GitHub logins change; the stored one follows the latest sign-in. */
export async function renameIdentity(q: Queryable, githubId: number, login: string): Promise<void> {
  await q.query('UPDATE github_identities SET login = $2 WHERE github_id = $1 AND login <> $2', [githubId, login]);
}
