import type { Queryable } from '@gatehouse/db';

export interface UserRow {
  id: string;
  username: string;
  /** Null for an account created by signing in with GitHub, until an address is added. */
  email: string | null;
  /** Null for an account that has only ever signed in with GitHub. */
  password_hash: string | null;
  email_verified_at: Date | null;
  sessions_valid_from: string | number;
  created_at: Date;
}

/** What the API shows of a user. */
export interface PublicUser {
  id: string;
  username: string;
  email: string | null;
  email_verified: boolean;
  created_at: string;
}

export function publicUser(row: Pick<UserRow, 'id' | 'username' | 'email' | 'email_verified_at' | 'created_at'>): PublicUser {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    email_verified: row.email_verified_at !== null,
    created_at: new Date(row.created_at).toISOString(),
  };
}

const columns = 'id, username, email, password_hash, email_verified_at, sessions_valid_from, created_at';

/** An identifier with an @ is an email, anything else a username; both compared without case. */
export async function findUserByLogin(q: Queryable, identifier: string): Promise<UserRow | undefined> {
  const column = identifier.includes('@') ? 'email' : 'username';
  const { rows } = await q.query<UserRow>(`SELECT ${columns} FROM users WHERE lower(${column}) = lower($1)`, [identifier]);
  return rows[0];
}

export async function findUserByEmail(q: Queryable, email: string): Promise<(UserRow & { email: string }) | undefined> {
  const { rows } = await q.query<UserRow & { email: string }>(`SELECT ${columns} FROM users WHERE lower(email) = lower($1)`, [email]);
  return rows[0];
}

export async function findUserById(q: Queryable, id: string): Promise<UserRow | undefined> {
  const { rows } = await q.query<UserRow>(`SELECT ${columns} FROM users WHERE id = $1`, [id]);
  return rows[0];
}

/**
 * An account without email or password (signed up through GitHub). Returns
 * undefined when the username is taken, so the caller can try another.
 */
export async function insertPasswordlessUser(q: Queryable, username: string, now: Date): Promise<UserRow | undefined> {
  const { rows } = await q.query<UserRow>(
    `INSERT INTO users (username, created_at, updated_at) VALUES ($1, $2, $2) ON CONFLICT DO NOTHING RETURNING ${columns}`,
    [username, now],
  );
  return rows[0];
}
