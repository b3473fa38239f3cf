import type { Database } from '@gatehouse/db';
import type { Clock } from '@gatehouse/service-kit';
import type { Sealer } from './seal.js';
import type { SessionCache } from './session-cache.js';
import type { SessionStore } from './store.js';

/**
 * Every write to web_sessions announces the storage key of each row it
 * changed, in the same statement, so replicas' caches (session-invalidation)
 * hear of it when it commits. The key is an HMAC of the session id: it opens
 * nothing. A write through a cache adds that cache's origin, so the cache can
 * tell its own writes (which it has already accounted for) from others'.
 */
export const sessionChangesChannel = 'web_sessions';
const announce = (payload: string) => `SELECT count(pg_notify('${sessionChangesChannel}', ${payload}))`;
/** A write's payload: the key, then the origin passed as the parameter numbered `param`. */
const keyAndOrigin = (param: number) => `id || ' ' || $${param}::text`;

/** What one announcement says: the storage key, and the writing cache's origin unless the sweep wrote. */
export function readAnnouncement(payload: string): { key: string; origin: string | undefined } {
  const [key = '', origin] = payload.split(' ');
  return { key, origin: origin || undefined };
}

export interface PostgresStoreOptions {
  db: Database;
  sealer: Sealer;
  clock: Clock;
  /** Records this replica may serve without asking Postgres; only safe while changes are heard. */
  cache?: SessionCache | undefined;
  /** How often expired rows are deleted; reads ignore them either way. */
  sweepEveryMs?: number;
  onSweepError?: (err: unknown) => void;
}

export function createPostgresSessionStore(options: PostgresStoreOptions): SessionStore {
  const { db, sealer, clock, cache } = options;
  const origin = cache?.origin ?? '';
  const sweep = setInterval(
    () => {
      db.query(
        `WITH gone AS (DELETE FROM web_sessions WHERE expires_at <= $1 RETURNING id) ${announce('id')} FROM gone`,
        [clock.now()],
      ).catch((err: unknown) => options.onSweepError?.(err));
    },
    options.sweepEveryMs ?? 10 * 60_000,
  );
  sweep.unref();
  const open = (sessionId: string, sealed: string) =>
    sealer.open(sessionId, sealed) as Record<string, unknown> | undefined;
  return {
    kind: db.kind,
    async get(sessionId) {
      const key = sealer.storageKey(sessionId);
      const cached = cache?.lookup(key);
      if (cached && cached.expiresAt > clock.now().getTime()) return open(sessionId, cached.sealed);
      const settle = cache?.reading(key);
      const { rows } = await db.query<{ data: string; expires_at: Date }>(
        'SELECT data, expires_at FROM web_sessions WHERE id = $1 AND expires_at > $2',
        [key, clock.now()],
      );
      const row = rows[0];
      settle?.(row && { sealed: row.data, expiresAt: row.expires_at.getTime() });
      return row ? open(sessionId, row.data) : undefined;
    },
    async set(sessionId, data, expiresAt) {
      const key = sealer.storageKey(sessionId);
      const sealed = sealer.seal(sessionId, data);
      const settle = cache?.writing(key);
      let written = false;
      try {
        await db.query(
          `WITH written AS (
             INSERT INTO web_sessions (id, data, expires_at) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at
             RETURNING id
           ) ${announce(keyAndOrigin(4))} FROM written`,
          [key, sealed, new Date(expiresAt), origin],
        );
        written = true;
      } finally {
        settle?.(written ? { sealed, expiresAt } : undefined);
      }
    },
    async destroy(sessionId) {
      const key = sealer.storageKey(sessionId);
      const settle = cache?.writing(key);
      try {
        await db.query(
          `WITH gone AS (DELETE FROM web_sessions WHERE id = $1 RETURNING id) ${announce(keyAndOrigin(2))} FROM gone`,
          [key, origin],
        );
      } finally {
        settle?.(undefined);
      }
    },
    ping: () => db.ping(),
    async close() {
      clearInterval(sweep);
    },
  };
}
