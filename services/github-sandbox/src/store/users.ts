import type { Queryable } from '@gatehouse/db';

export interface SandboxUser {
  id: number;
  login: string;
  name: string | null;
  email: string | null;
  created_at: Date;
  updated_at: Date;
}

const columns = 'id::int AS id, login, name, email, created_at, updated_at';

/** Every statement on sandbox_users lives here. */
export async function findUserByLogin(q: Queryable, login: string): Promise<SandboxUser | undefined> {
  const { rows } = await q.query<SandboxUser>(`SELECT ${columns} FROM sandbox_users WHERE lower(login) = lower($1)`, [
    login,
  ]);
  return rows[0];
}

export async function findUserById(q: Queryable, id: number): Promise<SandboxUser | undefined> {
  const { rows } = await q.query<SandboxUser>(`SELECT ${columns} FROM sandbox_users WHERE id = $1`, [id]);
  return rows[0];
}

export async function listUsers(q: Queryable): Promise<SandboxUser[]> {
  const { rows } = await q.query<SandboxUser>(`SELECT ${columns} FROM sandbox_users ORDER BY lower(login)`);
  return rows;
}

/** The user with this login, created when missing (sign-in on the consent page is "type a name"). */
export async function ensureUser(q: Queryable, login: string, now: Date): Promise<SandboxUser> {
  await q.query(
    `INSERT INTO sandbox_users (login, name, email, created_at, updated_at) VALUES ($1, $1, $2, $3, $3)
     ON CONFLICT ((lower(login))) DO NOTHING`,
    [login, `${login.toLowerCase()}@users.sandbox.invalid`, now],
  );
  return (await findUserByLogin(q, login))!;
}

/** GitHub logins: alphanumerics and single inner hyphens, at most 39 characters. */
export const loginPattern = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
