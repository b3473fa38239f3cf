import { randomBytes } from 'node:crypto';

/**
 * A record as Postgres holds it. Kept sealed: koa-session changes the object
 * `get` hands out, so each hit opens a copy of its own.
 */
export interface CachedSession {
  sealed: string;
  /** ms since epoch, by the session clock: the row's expires_at. */
  expiresAt: number;
}

export interface SessionCacheStats {
  hits: number;
  /** Lookups that went to Postgres while the cache was in use. */
  misses: number;
  entries: number;
  /** Keys dropped because some write was heard of. */
  invalidations: number;
  /** False while changes made elsewhere could go unheard: every read then goes to Postgres. */
  active: boolean;
}

/** Called once the read or write is done, with what Postgres now holds (undefined: nothing, or failed). */
export type Settle = (record: CachedSession | undefined) => void;

export interface SessionCache {
  /** Tags this cache's own writes, so hearing of them does not drop what they just kept. */
  readonly origin: string;
  /** The record under this storage key, when it may be served without asking Postgres. */
  lookup(key: string): CachedSession | undefined;
  /** Before reading `key` from Postgres: what the read finds is kept unless `key` changed meanwhile. */
  reading(key: string): Settle;
  /** Before writing `key`: the new record is kept unless anything else touched `key` meanwhile. */
  writing(key: string): Settle;
  /** Another replica (or this one) changed `key`. */
  invalidate(key: string): void;
  /** Changes are heard again: anything kept before may have missed some, so it is dropped. */
  resume(): void;
  /** Changes can no longer be heard: drop everything and serve nothing until `resume`. */
  suspend(): void;
  stats(): SessionCacheStats;
}

export interface SessionCacheOptions {
  maxEntries: number;
  /**
   * A kept record is served for at most this long. Every change is announced,
   * so this only bounds a missed announcement that the listener's heartbeat
   * has not yet noticed; 10 s covers a burst of page views and costs one read
   * per active session per 10 s.
   */
  maxAgeMs?: number;
  /** Monotonic ms (performance.now by default): the session clock may be moved by tests, ages may not. */
  now?: () => number;
}

interface Entry {
  /** Which read or write may fill this entry; an invalidation replaces or deletes it, so a late fill finds out. */
  ticket: object;
  record?: CachedSession;
  storedAt: number;
}

/**
 * The near-cache of Postgres sessions, least recently used first out. Its
 * rule: a record is kept only when no change to its key was heard between
 * the start of the read or write that produced it and its end.
 */
export function createSessionCache(options: SessionCacheOptions): SessionCache {
  const maxAgeMs = options.maxAgeMs ?? 10_000;
  const now = options.now ?? (() => performance.now());
  const entries = new Map<string, Entry>();
  // Keys with writes in flight: a read meanwhile may see the row before or after the write, so it keeps nothing.
  const writes = new Map<string, number>();
  let active = false;
  let hits = 0;
  let misses = 0;
  let invalidations = 0;

  const put = (key: string, entry: Entry) => {
    entries.delete(key);
    entries.set(key, entry);
    if (entries.size > options.maxEntries) entries.delete(entries.keys().next().value!);
  };
  const begin = (key: string) => {
    const ticket = {};
    put(key, { ticket, storedAt: now() });
    return ticket;
  };
  const fill = (key: string, ticket: object, record: CachedSession | undefined) => {
    if (entries.get(key)?.ticket !== ticket) return;
    if (record) put(key, { ticket, record, storedAt: now() });
    else entries.delete(key);
  };

  return {
    origin: randomBytes(9).toString('base64url'),
    lookup(key) {
      if (!active) return undefined;
      const entry = entries.get(key);
      if (entry?.record && now() - entry.storedAt < maxAgeMs) {
        hits += 1;
        put(key, entry);
        return entry.record;
      }
      misses += 1;
      return undefined;
    },
    reading(key) {
      if (!active || writes.has(key)) return () => {};
      const ticket = begin(key);
      return (record) => fill(key, ticket, record);
    },
    writing(key) {
      writes.set(key, (writes.get(key) ?? 0) + 1);
      const ticket = active ? begin(key) : undefined;
      return (record) => {
        const left = writes.get(key)! - 1;
        if (left === 0) writes.delete(key);
        else writes.set(key, left);
        if (ticket && left === 0) fill(key, ticket, record);
        else entries.delete(key);
      };
    },
    invalidate(key) {
      invalidations += 1;
      entries.delete(key);
    },
    resume() {
      entries.clear();
      active = true;
    },
    suspend() {
      entries.clear();
      active = false;
    },
    stats: () => ({ hits, misses, entries: entries.size, invalidations, active }),
  };
}
