import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Queryable } from '@gatehouse/db';
import { hashSecretToken, newSecretToken } from './secret-token.js';

export interface RefreshSettings {
  /** Absolute lifetime of a family (a login session). */
  familyTtlMs: number;
  /** How long a rotated token may still be used: two tabs refreshing at once. */
  reuseGraceMs: number;
  /** Derives successors (see successorOf): a key of its own, from PASSWORD_PEPPER. */
  successorKey: Buffer;
}

export type RotateResult =
  | { ok: true; token: string; userId: string; familyId: string }
  | { ok: false; reason: 'unknown' | 'revoked' | 'expired' }
  | { ok: false; reason: 'reused'; userId: string; familyId: string };

/** Starts a login session: a new family with its first refresh token. */
export async function startFamily(q: Queryable, userId: string, now: Date, settings: RefreshSettings) {
  const familyId = randomUUID();
  const { token, hash } = newSecretToken();
  await q.query(
    `INSERT INTO refresh_tokens (token_hash, family_id, user_id, created_at, family_expires_at) VALUES ($1, $2, $3, $4, $5)`,
    [hash, familyId, userId, now, new Date(now.getTime() + settings.familyTtlMs)],
  );
  return { token, familyId };
}

/**
 * The successor of a refresh token: HMAC(server key, token ‖ salt), with a
 * random salt stored on the parent row. Derived rather than stored, because
 * a refresh token must never sit in the database in a usable form (only its
 * SHA-256 does); deriving it lets a replay inside the grace window get the
 * very token the first request got. It takes all three of the parent token
 * (never stored), the salt (only in the database) and the key (only in
 * auth's config) to compute it, so neither a database dump, nor the key, nor
 * a stolen old token alone yields later tokens of the chain.
 */
function successorOf(presented: string, salt: string, key: Buffer): string {
  return createHmac('sha256', key).update(`${presented}.${salt}`).digest('base64url');
}

/**
 * Trades a refresh token for its successor in one statement: it locks the
 * row, marks it rotated and inserts the successor only on its first use, so
 * racing requests cannot both rotate it and a refresh costs one round trip.
 * A token already rotated is answered again only inside the grace window
 * (two tabs at once), and with the SAME successor: the session never forks
 * into two chains, so a thief's replay and the owner's stay one chain that
 * reuse detection watches. Later it is a reuse, which revokes the family: a
 * stolen token then dies with the real one.
 */
export async function rotate(
  q: Queryable,
  presented: string,
  now: Date,
  settings: RefreshSettings,
): Promise<RotateResult> {
  const salt = randomBytes(16).toString('base64url');
  const next = successorOf(presented, salt, settings.successorKey);
  const { rows } = await q.query<{
    user_id: string;
    family_id: string;
    family_expires_at: Date;
    rotated_at: Date | null;
    revoked_at: Date | null;
    successor_salt: string | null;
    issued: boolean;
  }>(
    `WITH current AS (
       SELECT token_hash, user_id, family_id, family_expires_at, rotated_at, revoked_at, successor_salt
       FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE),
     marked AS (
       UPDATE refresh_tokens r SET rotated_at = coalesce(r.rotated_at, $3), successor_salt = coalesce(r.successor_salt, $4)
       FROM current c WHERE r.token_hash = c.token_hash RETURNING r.token_hash),
     issued AS (
       INSERT INTO refresh_tokens (token_hash, family_id, user_id, created_at, family_expires_at)
       SELECT $2, family_id, user_id, $3, family_expires_at FROM current
       WHERE revoked_at IS NULL AND family_expires_at > $3 AND rotated_at IS NULL
       RETURNING token_hash)
     SELECT user_id, family_id, family_expires_at, rotated_at, revoked_at, successor_salt,
       EXISTS (SELECT 1 FROM issued) AS issued FROM current`,
    [hashSecretToken(presented), hashSecretToken(next), now, salt],
  );
  const row = rows[0];
  if (!row) return { ok: false, reason: 'unknown' };
  if (row.issued) return { ok: true, token: next, userId: row.user_id, familyId: row.family_id };
  if (row.revoked_at) return { ok: false, reason: 'revoked' };
  if (new Date(row.family_expires_at) <= now) return { ok: false, reason: 'expired' };
  const graceStart = now.getTime() - settings.reuseGraceMs;
  // A row rotated before successors were derived has no salt: its replay counts as a reuse.
  if (row.rotated_at && new Date(row.rotated_at).getTime() >= graceStart && row.successor_salt) {
    const token = successorOf(presented, row.successor_salt, settings.successorKey);
    return { ok: true, token, userId: row.user_id, familyId: row.family_id };
  }
  // The caller revokes the family, in the transaction that also tells the revocation feed.
  return { ok: false, reason: 'reused', userId: row.user_id, familyId: row.family_id };
}

export async function revokeFamily(q: Queryable, familyId: string, now: Date): Promise<void> {
  await q.query('UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL', [
    familyId,
    now,
  ]);
}

/** Ends every session of a user, optionally sparing one (the session that changed the password); returns the ended ones. */
export async function revokeAllFamilies(q: Queryable, userId: string, now: Date, except?: string): Promise<string[]> {
  const { rows } = await q.query<{ family_id: string }>(
    `UPDATE refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL AND family_id IS DISTINCT FROM $3
     RETURNING family_id`,
    [userId, now, except ?? null],
  );
  return [...new Set(rows.map((r) => r.family_id))];
}

/** Sessions revoked after `since`: what a revocation cache must hold. */
export async function familiesRevokedSince(q: Queryable, since: Date): Promise<string[]> {
  const { rows } = await q.query<{ family_id: string }>(
    'SELECT DISTINCT family_id FROM refresh_tokens WHERE revoked_at > $1',
    [since],
  );
  return rows.map((r) => r.family_id);
}

/** An SQL expression: whether the session (family) in the parameter `familyParam` (e.g. '$3') was revoked. */
export const familyRevokedSql = (familyParam: string) =>
  `EXISTS (SELECT 1 FROM refresh_tokens WHERE family_id = ${familyParam} AND revoked_at IS NOT NULL)`;
