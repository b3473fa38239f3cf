import type { Redis } from 'ioredis';
import type { Clock } from '@gatehouse/service-kit';
import type { Sealer } from './seal.js';
import type { SessionStore } from './store.js';

export interface RedisStoreOptions {
  redis: Redis;
  sealer: Sealer;
  clock: Clock;
  /** Key prefix, so one Redis can serve several deployments (and parallel tests). */
  prefix?: string;
}

/** Redis expires records itself, so there is nothing to sweep. */
export function createRedisSessionStore(options: RedisStoreOptions): SessionStore {
  const { redis, sealer, clock } = options;
  const prefix = options.prefix ?? 'gatehouse:web:session:';
  const keyOf = (sessionId: string) => prefix + sealer.storageKey(sessionId);
  return {
    kind: 'redis',
    async get(sessionId) {
      const sealed = await redis.get(keyOf(sessionId));
      return sealed === null ? undefined : (sealer.open(sessionId, sealed) as Record<string, unknown> | undefined);
    },
    async set(sessionId, data, expiresAt) {
      const ttl = Math.max(1, Math.ceil(expiresAt - clock.now().getTime()));
      await redis.set(keyOf(sessionId), sealer.seal(sessionId, data), 'PX', ttl);
    },
    async destroy(sessionId) {
      await redis.del(keyOf(sessionId));
    },
    async ping() {
      await redis.ping();
    },
    async close() {
      // The caller owns the Redis client and closes it.
    },
  };
}
