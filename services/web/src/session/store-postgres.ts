import type { Database } from '@gatehouse/db';
import type { Clock } from '@gatehouse/service-kit';
import type { Sealer } from './seal.js';
import type { SessionStore } from './store.js';

export interface PostgresStoreOptions {
  db: Database;
  sealer: Sealer;
  clock: Clock;
  /** How often expired rows are deleted; reads ignore them either way. */
  sweepEveryMs?: number;
  onSweepError?: (err: unknown) => void;
}

export function createPostgresSessionStore(options: PostgresStoreOptions): SessionStore {
  const { db, sealer, clock } = options;
  const sweep = setInterval(
    () => {
      db.query('DELETE FROM web_sessions WHERE expires_at <= $1', [clock.now()]).catch((err: unknown) =>
        options.onSweepError?.(err),
      );
    },
    options.sweepEveryMs ?? 10 * 60_000,
  );
  sweep.unref();
  return {
    kind: db.kind,
    async get(sessionId) {
      const { rows } = await db.query<{ data: string }>(
        'SELECT data FROM web_sessions WHERE id = $1 AND expires_at > $2',
        [sealer.storageKey(sessionId), clock.now()],
      );
      const row = rows[0];
      return row ? (sealer.open(sessionId, row.data) as Record<string, unknown> | undefined) : undefined;
    },
    async set(sessionId, data, expiresAt) {
      await db.query(
        `INSERT INTO web_sessions (id, data, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at`,
        [sealer.storageKey(sessionId), sealer.seal(sessionId, data), new Date(expiresAt)],
      );
    },
    async destroy(sessionId) {
      await db.query('DELETE FROM web_sessions WHERE id = $1', [sealer.storageKey(sessionId)]);
    },
    ping: () => db.ping(),
    async close() {
      clearInterval(sweep);
    },
  };
}
