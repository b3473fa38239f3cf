import type { Queryable } from '@gatehouse/db';
import type { PublicUser } from '../wire.js';

export type { PublicUser };

export interface UserRow {
  id: string;
  username: string;
  /** Null for an account created by signing in with GitHub, until an address is added. */
  email: string | null;
  /** Null for an account that has only ever signed in with GitHub. */
  password_hash: string | null;
  email_verified_at: Date | null;
  /** SHA-256 of the secret signup handed out, until the address is confirmed. */
  signup_binding_hash: string | null;
  sessions_valid_from: string | number;
  created_at: Date;
}

export function publicUser(
  row: Pick<UserRow, 'id' | 'username' | 'email' | 'email_verified_at' | 'created_at'>,
): PublicUser {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    email_verified: row.email_verified_at !== null,
    created_at: new Date(row.created_at).toISOString(),
  };
}

// Every statement on `users` lives in this module: a column added or renamed is changed in one place.
const columns =
  'id, username, email, password_hash, email_verified_at, signup_binding_hash, sessions_valid_from, created_at';

export interface NewUser {
  username: string;
  email: string;
  passwordHash: string;
  bindingHash: string;
}

/** The new user's id, or undefined when the username or email is already taken. */
export async function insertUser(q: Queryable, user: NewUser, now: Date): Promise<string | undefined> {
  const { rows } = await q.query<{ id: string }>(
    `INSERT INTO users (username, email, password_hash, signup_binding_hash, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT DO NOTHING RETURNING id`,
    [user.username, user.email, user.passwordHash, user.bindingHash, now],
  );
  return rows[0]?.id;
}

/**
 * Marks the address proven (keeping the first time it was); `newly` says
 * whether this call did it. The signup binding has done its job and goes.
 */
export async function markEmailVerified(
  q: Queryable,
  id: string,
  now: Date,
): Promise<{ user: UserRow; newly: boolean } | undefined> {
  const { rows } = await q.query<UserRow & { newly: boolean }>(
    `UPDATE users SET email_verified_at = coalesce(email_verified_at, $2), signup_binding_hash = NULL, updated_at = $2
     WHERE id = $1 RETURNING ${columns}, (email_verified_at = $2) AS newly`,
    [id, now],
  );
  const row = rows[0];
  if (!row) return undefined;
  const { newly, ...user } = row;
  return { user, newly };
}

/** Every password write stamps `password_changed_at`, which ends older reset links (see passwordChangedAtSql). */
export async function setPassword(q: Queryable, id: string, passwordHash: string, now: Date): Promise<void> {
  await q.query('UPDATE users SET password_hash = $2, password_changed_at = $3, updated_at = $3 WHERE id = $1', [
    id,
    passwordHash,
    now,
  ]);
}

/**
 * A password set from a reset link: every access token issued before
 * `validFrom` (seconds) stops working, and the address counts as proven.
 */
export async function setPasswordFromReset(
  q: Queryable,
  id: string,
  passwordHash: string,
  validFrom: number,
  now: Date,
): Promise<void> {
  await q.query(
    `UPDATE users SET password_hash = $2, sessions_valid_from = $3, email_verified_at = coalesce(email_verified_at, $4),
       password_changed_at = $4, updated_at = $4
     WHERE id = $1`,
    [id, passwordHash, validFrom, now],
  );
}

/** Every access token of the user issued before `validFrom` (seconds) stops working. */
export async function cutSessions(q: Queryable, id: string, validFrom: number, now: Date): Promise<void> {
  await q.query('UPDATE users SET sessions_valid_from = $2, updated_at = $3 WHERE id = $1', [id, validFrom, now]);
}

/** Users whose sessions were cut after `since` (seconds): what a revocation cache must hold. */
export async function usersCutSince(
  q: Queryable,
  since: number,
): Promise<{ id: string; sessions_valid_from: string }[]> {
  const { rows } = await q.query<{ id: string; sessions_valid_from: string }>(
    'SELECT id, sessions_valid_from FROM users WHERE sessions_valid_from > $1',
    [since],
  );
  return rows;
}

/** An SQL expression: when the password of the user whose id is the column or parameter `id` last changed. */
export const passwordChangedAtSql = (id: string) =>
  `(SELECT coalesce(password_changed_at, '-infinity') FROM users WHERE id = ${id})`;

/** An SQL expression: the sessions_valid_from of the user whose id is the parameter `idParam` (e.g. '$2'). */
export const sessionsValidFromSql = (idParam: string) =>
  `(SELECT sessions_valid_from FROM users WHERE id = ${idParam})`;

/**
 * The user with id `$1` and one more boolean the caller computes in the same
 * statement (its parameters start at `$2`), so a check and the load cost one round trip.
 */
export async function findUserWithFlag(
  q: Queryable,
  id: string,
  flagSql: string,
  flagParams: unknown[],
): Promise<(UserRow & { flag: boolean }) | undefined> {
  const { rows } = await q.query<UserRow & { flag: boolean }>(
    `SELECT ${columns}, ${flagSql} AS flag FROM users WHERE id = $1`,
    [id, ...flagParams],
  );
  return rows[0];
}

/** An identifier with an @ is an email, anything else a username; both compared without case. */
export async function findUserByLogin(q: Queryable, identifier: string): Promise<UserRow | undefined> {
  const column = identifier.includes('@') ? 'email' : 'username';
  const { rows } = await q.query<UserRow>(`SELECT ${columns} FROM users WHERE lower(${column}) = lower($1)`, [
    identifier,
  ]);
  return rows[0];
}

export async function findUserByEmail(q: Queryable, email: string): Promise<(UserRow & { email: string }) | undefined> {
  const { rows } = await q.query<UserRow & { email: string }>(
    `SELECT ${columns} FROM users WHERE lower(email) = lower($1)`,
    [email],
  );
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

/**
 * Removes accounts whose address was never confirmed and that were created
 * before `createdBefore`, releasing their username and address. Accounts
 * without an email or password (made through GitHub) have nothing to confirm
 * and are never touched.
 */
export async function deleteUnconfirmedUsers(q: Queryable, createdBefore: Date): Promise<number> {
  const { rowCount } = await q.query(
    `DELETE FROM users WHERE email_verified_at IS NULL AND email IS NOT NULL AND password_hash IS NOT NULL
     AND created_at < $1`,
    [createdBefore],
  );
  return rowCount;
}
