import { AppError, lockMs, loginLockPolicy, type LockPolicy } from '@gatehouse/service-kit';
import type { Clock } from '@gatehouse/service-kit';
import type { Database, Queryable } from '@gatehouse/db';

export type ThrottlePolicy = LockPolicy;

export const accountPolicy: ThrottlePolicy = loginLockPolicy;
export const ipPolicy: ThrottlePolicy = {
  threshold: 20,
  baseLockMs: 15_000,
  maxLockMs: 15 * 60_000,
  windowMs: 15 * 60_000,
};

/**
 * Failure counters with exponential lockout, kept in Postgres so every
 * replica sees the same counts. Locks expire by themselves; a success
 * clears the account's counter.
 */
export class Throttle {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** Seconds until every one of these keys is unlocked; 0 when none is locked. */
  async retryAfter(keys: string[]): Promise<number> {
    const now = this.clock.now();
    const { rows } = await this.db.query<{ locked_until: Date }>(
      'SELECT locked_until FROM throttle WHERE key = ANY($1) AND locked_until > $2',
      [keys, now],
    );
    const until = Math.max(0, ...rows.map((r) => new Date(r.locked_until).getTime()));
    return until > now.getTime() ? Math.ceil((until - now.getTime()) / 1000) : 0;
  }

  async recordFailure(key: string, policy: ThrottlePolicy): Promise<void> {
    const now = this.clock.now();
    const staleBefore = new Date(now.getTime() - policy.windowMs);
    const { rows } = await this.db.query<{ failures: number }>(
      `INSERT INTO throttle (key, failures, updated_at) VALUES ($1, 1, $2)
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN throttle.updated_at < $3 THEN 1 ELSE throttle.failures + 1 END,
         updated_at = $2
       RETURNING failures`,
      [key, now, staleBefore],
    );
    const failures = rows[0]!.failures;
    const ms = lockMs(failures, policy);
    if (ms > 0)
      await this.db.query('UPDATE throttle SET locked_until = $2 WHERE key = $1', [key, new Date(now.getTime() + ms)]);
  }

  /** Locks a key for a fixed time regardless of count: one mail a minute per address. */
  async lockFor(key: string, ms: number): Promise<void> {
    const now = this.clock.now();
    await this.db.query(
      `INSERT INTO throttle (key, failures, locked_until, updated_at) VALUES ($1, 0, $2, $3)
       ON CONFLICT (key) DO UPDATE SET locked_until = $2, updated_at = $3`,
      [key, new Date(now.getTime() + ms), now],
    );
  }

  /** Failures counted on the key within the policy's window (0 once they are stale). */
  async failures(key: string, policy: Pick<ThrottlePolicy, 'windowMs'>): Promise<number> {
    const staleBefore = new Date(this.clock.now().getTime() - policy.windowMs);
    const { rows } = await this.db.query<{ failures: number }>(
      'SELECT failures FROM throttle WHERE key = $1 AND updated_at >= $2',
      [key, staleBefore],
    );
    return rows[0]?.failures ?? 0;
  }

  /** Forgets every key that starts with `prefix` (all of one account's per-client locks). */
  async resetPrefix(prefix: string, q: Queryable = this.db): Promise<void> {
    await q.query('DELETE FROM throttle WHERE starts_with(key, $1)', [prefix]);
  }

  /**
   * Takes the key for `ms` if it is free, in one statement, so requests racing
   * for it cannot both win. Returns 0 when taken, else the seconds until it is free.
   */
  async claim(key: string, ms: number): Promise<number> {
    const now = this.clock.now();
    const { rows } = await this.db.query(
      `INSERT INTO throttle (key, failures, locked_until, updated_at) VALUES ($1, 0, $2, $3)
       ON CONFLICT (key) DO UPDATE SET locked_until = $2, updated_at = $3
       WHERE throttle.locked_until IS NULL OR throttle.locked_until <= $3
       RETURNING key`,
      [key, new Date(now.getTime() + ms), now],
    );
    return rows.length ? 0 : Math.max(1, await this.retryAfter([key]));
  }

  /** Forgets the key's failures and lock; pass a transaction to forget them only if it commits. */
  async reset(key: string, q: Queryable = this.db): Promise<void> {
    await q.query('DELETE FROM throttle WHERE key = $1', [key]);
  }
}

/** Keys for one identifier: case variants of it share a counter. */
export const throttleKeys = {
  ip: (ip: string) => `ip:${ip}`,
  account: (identifier: string) => `account:${identifier.toLowerCase()}`,
  user: (userId: string) => `user:${userId}`,
  /** An unknown client's login attempts on one account (`user(id)`, or `account(identifier)`) from one address. */
  client: (account: string, ip: string) => `client:${account}|${ip}`,
  /** A device that logged in to an account before: its attempts count on their own. */
  device: (deviceId: string) => `device:${deviceId}`,
  /** The progressive slowdown, per identifier as typed: see login-guard.ts for why not per account. */
  slowdown: (identifier: string) => `slow:${identifier.toLowerCase()}`,
  /** One key per address, whatever the mail: every path that mails it shares one limit. */
  mail: (email: string) => `mail:${email.toLowerCase()}`,
};

/** 429 with the wait in the Retry-After header and in the problem body, where a form can show it. */
export function tooManyRequests(retryAfter: number, what = 'Too many attempts.'): AppError {
  return new AppError('too_many_requests', {
    message: `${what} Try again in ${retryAfter} seconds.`,
    headers: { 'Retry-After': String(retryAfter) },
    extensions: { retry_after: retryAfter },
  });
}

/**
 * Drops rows that no longer hold anything: not locked, and last touched
 * before `before` (older than every policy's window, so their count would be
 * forgotten anyway).
 */
export async function deleteStaleThrottleRows(q: Queryable, now: Date, before: Date): Promise<number> {
  const { rowCount } = await q.query(
    'DELETE FROM throttle WHERE updated_at < $2 AND (locked_until IS NULL OR locked_until <= $1)',
    [now, before],
  );
  return rowCount;
}

/** The longest any policy remembers a failure: a row untouched for longer is forgotten. */
export const longestThrottleWindowMs = Math.max(accountPolicy.windowMs, ipPolicy.windowMs);
