import type { Redis } from 'ioredis';
import type { Database, Queryable } from '@gatehouse/db';
import type { Clock, Logger } from '@gatehouse/service-kit';
import type { FeedMessage, RevocationEvent } from '@gatehouse/token-verifier';
import {
  latestRevocationSeq,
  pruneRevocationEvents,
  recordRevocationEvent,
  revocationEventsAfter,
  type NewRevocationEvent,
} from './revocation-events.js';

/**
 * auth's side of the revocation feed. Each revocation is stored as an event
 * with a sequence number in the transaction that revokes, then pushed once it
 * has committed: on Redis pub/sub (when configured) and to this process's
 * open streams. A push lost to a crash is not a lost event: it is in the
 * table, and every replica's next heartbeat names it. A heartbeat each `heartbeatMs` names the
 * newest sequence number, so a verifier that missed something catches up,
 * and one that hears nothing knows it is stale. The heartbeat also carries
 * other replicas' events to this process's streams.
 */
export interface RevocationFeed {
  /** Inside the revoking transaction: stores the event (see recordRevocationEvent). */
  record(tx: Queryable, event: NewRevocationEvent): Promise<RevocationEvent>;
  /** Once that transaction has committed: pushes its events. */
  publish(events: readonly RevocationEvent[]): void;
  /** Every message from now on (events and heartbeats). Returns an unsubscribe. */
  subscribe(listener: (message: FeedMessage) => void): () => void;
  /** The still-relevant events after `afterSeq` (at most one page; `latest` says how far it reached). */
  catchUp(afterSeq: number): Promise<Extract<FeedMessage, { type: 'catchup' }>>;
  close(): Promise<void>;
}

export interface RevocationFeedOptions {
  db: Database;
  clock: Clock;
  logger: Logger;
  /** Set: events and heartbeats are also published on `channel`. */
  redis?: Redis | undefined;
  channel: string;
  heartbeatMs?: number;
  pruneEveryMs?: number;
}

const pageSize = 1000;

export function createRevocationFeed(options: RevocationFeedOptions): RevocationFeed {
  const { db, clock, logger, redis, channel } = options;
  const listeners = new Set<(message: FeedMessage) => void>();
  let sentSeq: number | undefined;
  const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);

  const emit = (message: FeedMessage, publish: boolean) => {
    for (const listener of listeners) listener(message);
    // A heartbeat while Redis (re)connects is simply skipped; a missed event is read back at the next one.
    if (publish && redis && (message.type === 'event' || redis.status === 'ready')) {
      redis.publish(channel, JSON.stringify(message)).catch((err: unknown) => {
        // Verifiers see the gap at the next heartbeat and read the event back.
        logger.warn({ err: (err as Error).message }, 'could not publish a revocation on redis');
      });
    }
  };

  const catchUp = async (afterSeq: number) => {
    let latest = await latestRevocationSeq(db);
    const events = await revocationEventsAfter(db, afterSeq, latest, nowSeconds(), pageSize);
    if (events.length === pageSize) latest = events.at(-1)!.seq;
    return { type: 'catchup' as const, events, latest };
  };

  const beat = async () => {
    const latest = await latestRevocationSeq(db);
    // Events other replicas appended reach this process's streams here.
    if (sentSeq !== undefined && latest > sentSeq && listeners.size > 0) {
      for (const event of await revocationEventsAfter(db, sentSeq, latest, nowSeconds(), pageSize)) {
        emit({ type: 'event', event }, false);
      }
    }
    sentSeq = Math.max(sentSeq ?? 0, latest);
    emit({ type: 'heartbeat', seq: latest }, true);
  };
  let beating = false;
  const heartbeat = setInterval(() => {
    if (beating) return;
    beating = true;
    // No database, no heartbeat: verifiers then go stale and refuse, as they must.
    beat()
      .catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'revocation heartbeat failed'))
      .finally(() => {
        beating = false;
      });
  }, options.heartbeatMs ?? 1000);
  const pruner = setInterval(() => {
    pruneRevocationEvents(db, nowSeconds()).catch((err: unknown) =>
      logger.warn({ err: (err as Error).message }, 'pruning revocation events failed'),
    );
  }, options.pruneEveryMs ?? 60_000);
  heartbeat.unref();
  pruner.unref();

  return {
    record: (tx, event) => recordRevocationEvent(tx, event, clock.now()),
    publish(events) {
      for (const event of events) {
        sentSeq = Math.max(sentSeq ?? 0, event.seq);
        emit({ type: 'event', event }, true);
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    catchUp,
    async close() {
      clearInterval(heartbeat);
      clearInterval(pruner);
      listeners.clear();
    },
  };
}
