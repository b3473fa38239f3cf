import type { Queryable } from '@gatehouse/db';
import { UniqueViolationError } from '@gatehouse/db';

export interface SandboxRepo {
  id: number;
  owner_id: number;
  owner_login: string;
  name: string;
  description: string | null;
  private: boolean;
  default_branch: string;
  created_at: Date;
  updated_at: Date;
  pushed_at: Date;
}

const select = `SELECT r.id::int AS id, r.owner_id::int AS owner_id, u.login AS owner_login, r.name, r.description, r.private,
  r.default_branch, r.created_at, r.updated_at, r.pushed_at
  FROM sandbox_repos r JOIN sandbox_users u ON u.id = r.owner_id`;

export interface NewRepo {
  ownerId: number;
  name: string;
  description: string | null;
  private: boolean;
}

/** Every statement on sandbox_repos lives here. Undefined when the owner already has that name. */
export async function insertRepo(q: Queryable, repo: NewRepo, now: Date): Promise<SandboxRepo | undefined> {
  try {
    const { rows } = await q.query<{ id: number }>(
      `INSERT INTO sandbox_repos (owner_id, name, description, private, created_at, updated_at, pushed_at)
       VALUES ($1, $2, $3, $4, $5, $5, $5) RETURNING id::int AS id`,
      [repo.ownerId, repo.name, repo.description, repo.private, now],
    );
    return findRepoById(q, rows[0]!.id);
  } catch (err) {
    if (err instanceof UniqueViolationError) return undefined;
    throw err;
  }
}

export async function findRepoById(q: Queryable, id: number): Promise<SandboxRepo | undefined> {
  const { rows } = await q.query<SandboxRepo>(`${select} WHERE r.id = $1`, [id]);
  return rows[0];
}

/** Owner and name match case-insensitively, as on GitHub. */
export async function findRepo(q: Queryable, owner: string, name: string): Promise<SandboxRepo | undefined> {
  const { rows } = await q.query<SandboxRepo>(
    `${select} WHERE lower(u.login) = lower($1) AND lower(r.name) = lower($2)`,
    [owner, name],
  );
  return rows[0];
}

export async function listReposOf(q: Queryable, ownerId: number): Promise<SandboxRepo[]> {
  const { rows } = await q.query<SandboxRepo>(`${select} WHERE r.owner_id = $1 ORDER BY lower(r.name)`, [ownerId]);
  return rows;
}

export async function markPushed(q: Queryable, id: number, now: Date): Promise<void> {
  await q.query('UPDATE sandbox_repos SET pushed_at = $2, updated_at = $2 WHERE id = $1', [id, now]);
}

export async function deleteRepo(q: Queryable, id: number): Promise<void> {
  await q.query('DELETE FROM sandbox_repos WHERE id = $1', [id]);
}
