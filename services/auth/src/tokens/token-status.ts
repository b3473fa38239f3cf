import type { Redis } from 'ioredis';
import type { Database, Queryable } from '@gatehouse/db';
import type { Clock, Logger } from '@gatehouse/service-kit';
import type { RevocationEvent } from '@gatehouse/token-verifier';
import { findUserById, findUserWithFlag, sessionsValidFromSql, usersCutSince, type UserRow } from '../users/users.js';
import type { AccessClaims } from './access-tokens.js';
import { familiesRevokedSince, familyRevokedSql } from './refresh-tokens.js';
import { insertRevokedJti, jtiRevokedSql, revokedJtisAt } from './revoked-tokens.js';

/**
 * Whether a verified access token has since been revoked: its jti is on the
 * blacklist, its session (refresh family) was logged out, or it was issued
 * before the user's sessions_valid_from (global logout, password reset).
 * Postgres holds the truth; nothing answers "not revoked" from a cache that
 * might be stale, so a revocation holds on every replica at once.
 */
export interface TokenStatus {
  isRevoked(claims: AccessClaims): Promise<boolean>;
  /** The token's user if the token is still good, else null: the check and the load in one go (for /v1/me). */
  activeUser(claims: AccessClaims): Promise<UserRow | null>;
  /**
   * Inside the transaction that revokes: writes what must commit with it (the
   * jti blacklist; with the feed, its events). Returns what to do once that
   * transaction has committed (update caches, push the events).
   */
  record(tx: Queryable, revocations: readonly Revocation[]): Promise<AfterCommit>;
  close(): Promise<void>;
}

/** One thing revoked: an access token, a session (refresh family), or every token of a user issued before a time. */
export type Revocation =
  | { kind: 'jti'; jti: string; expiresAt: Date }
  | { kind: 'session'; sessionId: string }
  | { kind: 'user'; userId: string; validFrom: number };

export type AfterCommit = () => Promise<void>;

export function createPostgresTokenStatus(db: Database): TokenStatus {
  return {
    isRevoked: (claims) => isRevokedInPostgres(db, claims),
    async activeUser(claims) {
      const revokedSql = `${jtiRevokedSql('$2')} OR ${familyRevokedSql('$3')}`;
      const user = await findUserWithFlag(db, claims.sub, revokedSql, [claims.jti, claims.sid]);
      return user && !user.flag && claims.iat >= Number(user.sessions_valid_from) ? user : null;
    },
    async record(tx, revocations) {
      for (const r of revocations) if (r.kind === 'jti') await insertRevokedJti(tx, r.jti, r.expiresAt);
      return async () => {};
    },
    async close() {},
  };
}

async function isRevokedInPostgres(db: Database, claims: AccessClaims): Promise<boolean> {
  const { rows } = await db.query<{ revoked: boolean; valid_from: string | number | null }>(
    `SELECT ${jtiRevokedSql('$1')} OR ${familyRevokedSql('$3')} AS revoked, ${sessionsValidFromSql('$2')} AS valid_from`,
    [claims.jti, claims.sub, claims.sid],
  );
  const row = rows[0]!;
  // A deleted user's tokens die with the user.
  return row.revoked || row.valid_from === null || claims.iat < Number(row.valid_from);
}

export interface RedisStatusOptions {
  db: Database;
  redis: Redis;
  prefix: string;
  clock: Clock;
  logger: Logger;
  /** Access-token lifetime: no key needs to outlive it. */
  ttlMs: number;
}

/**
 * Redis answers the hot lookups. A marker key says Redis holds every
 * revocation; Redis restarts empty (and without the marker), so a missing
 * marker sends lookups to Postgres while Redis is refilled from it. If Redis
 * can't be reached, Postgres answers; if neither can, the check throws and
 * the request fails closed with 503.
 */
export interface RedisTokenStatus extends TokenStatus {
  /** A revocation event from the feed (this replica's or another's): copied to Redis. */
  heard(event: RevocationEvent): Promise<void>;
}

export function createRedisTokenStatus(options: RedisStatusOptions): RedisTokenStatus {
  const { db, redis, prefix, clock, logger, ttlMs } = options;
  const postgres = createPostgresTokenStatus(db);
  const marker = `${prefix}revocations:complete`;
  const jtiKey = (jti: string) => `${prefix}revoked:${jti}`;
  const sessionKey = (sid: string) => `${prefix}revoked-session:${sid}`;
  const userKey = (sub: string) => `${prefix}valid-from:${sub}`;
  let refilling: Promise<void> | undefined;
  let retryTimer: NodeJS.Timeout | undefined;

  const refill = () =>
    (refilling ??= (async () => {
      const now = clock.now();
      const since = new Date(now.getTime() - ttlMs);
      await redis.del(marker);
      const jtis = await revokedJtisAt(db, now);
      const sessions = await familiesRevokedSince(db, since);
      const users = await usersCutSince(db, Math.floor(since.getTime() / 1000));
      const batch = redis.multi();
      for (const r of jtis)
        batch.set(jtiKey(r.jti), '1', 'PX', Math.max(1, new Date(r.expires_at).getTime() - now.getTime()));
      for (const familyId of sessions) batch.set(sessionKey(familyId), '1', 'PX', ttlMs);
      for (const r of users) batch.set(userKey(r.id), String(r.sessions_valid_from), 'PX', ttlMs);
      batch.set(marker, String(now.getTime()));
      await batch.exec();
      logger.info(
        { revoked: jtis.length, sessions: sessions.length, users: users.length },
        'revocations copied to redis',
      );
    })().finally(() => {
      refilling = undefined;
    }));

  // A write Redis missed would make it wrong: drop the marker so lookups go
  // to Postgres, and keep trying to refill until Redis takes it.
  const repair = (err: unknown) => {
    logger.warn(
      { err: (err as Error).message },
      'redis missed a revocation; answering from postgres until it is refilled',
    );
    redis.del(marker).catch(() => {});
    if (retryTimer) return;
    const attempt = () => {
      refill().then(
        () => {
          retryTimer = undefined;
        },
        () => {
          retryTimer = setTimeout(attempt, 1000);
          retryTimer.unref();
        },
      );
    };
    retryTimer = setTimeout(attempt, 200);
    retryTimer.unref();
  };
  const write = async (key: string, value: string, ms: number) => {
    try {
      await redis.set(key, value, 'PX', Math.max(1, ms));
    } catch (err) {
      repair(err);
    }
  };

  // A revocation committed by a replica that died before its push, while no other replica was listening, is in
  // Postgres only: a starting replica has Redis refilled from Postgres before Redis alone answers again.
  redis.del(marker).catch(() => {});

  const isRevoked = async (claims: AccessClaims): Promise<boolean> => {
    let values: (string | null)[];
    try {
      values = await redis.mget(marker, jtiKey(claims.jti), sessionKey(claims.sid), userKey(claims.sub));
    } catch {
      return postgres.isRevoked(claims);
    }
    const [complete, jti, session, validFrom] = values;
    if (!complete) {
      refill().catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'refilling redis failed'));
      return postgres.isRevoked(claims);
    }
    return jti !== null || session !== null || (validFrom !== null && claims.iat < Number(validFrom));
  };

  return {
    isRevoked,
    async activeUser(claims) {
      // Redis and Postgres are asked at once; the user row is needed either way.
      const [revoked, user] = await Promise.all([isRevoked(claims), findUserById(db, claims.sub)]);
      return !revoked && user && claims.iat >= Number(user.sessions_valid_from) ? user : null;
    },
    // Redis learns of revocations from the feed (heard), never straight from the revoking request: the feed
    // also carries the revocations of a replica that died between its commit and its own push.
    record: (tx, revocations) => postgres.record(tx, revocations),
    async heard(event) {
      if (event.kind === 'user') await write(userKey(event.subject), String(event.before), ttlMs);
      else if (event.kind === 'jti') await write(jtiKey(event.subject), '1', event.exp * 1000 - clock.now().getTime());
      else await write(sessionKey(event.subject), '1', ttlMs);
    },
    async close() {
      if (retryTimer) clearTimeout(retryTimer);
    },
  };
}
