import type { Database, ListenOptions, Listening } from '@gatehouse/db';
import type { Logger } from '@gatehouse/service-kit';
import type { SessionCache } from './session-cache.js';
import { readAnnouncement, sessionChangesChannel } from './store-postgres.js';

export interface SessionInvalidationOptions {
  /** One that can LISTEN (a Postgres server). */
  db: Database;
  cache: SessionCache;
  logger: Pick<Logger, 'info' | 'warn'>;
  listen?: ListenOptions;
}

/** How the change listener shows in pg_stat_activity. */
export const sessionListenerName = 'gatehouse-web-sessions';

/**
 * Keeps this replica's session cache honest: every change to a record, made
 * by another replica or by a sweep, drops that record here. The cache is in
 * use only while the announcements can be heard; from a lost connection until
 * it listens again, every read goes to Postgres.
 */
export function dropChangedSessions(options: SessionInvalidationOptions): Listening {
  const { db, cache, logger } = options;
  if (!db.listen) throw new Error(`a session cache needs a database that can LISTEN, not ${db.kind}`);
  let lost = false;
  return db.listen(
    sessionChangesChannel,
    {
      onNotification(payload) {
        const { key, origin } = readAnnouncement(payload);
        // This replica's own write settled its entry itself, in the right order with its reads.
        if (origin !== cache.origin) cache.invalidate(key);
      },
      onListening() {
        cache.resume();
        if (lost) logger.info({}, 'session changes heard again: session cache back in use');
        lost = false;
      },
      onLost(err) {
        cache.suspend();
        lost = true;
        logger.warn({ err: err.message }, 'session changes unheard: every session read goes to Postgres until back');
      },
    },
    { applicationName: sessionListenerName, ...options.listen },
  );
}
