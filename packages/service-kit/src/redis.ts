import { Redis } from 'ioredis';
import type { Logger } from './logger.js';

/**
 * How long a caller may wait on Redis, by purpose. Neither queues commands
 * while disconnected: a dead Redis must answer fast, not hang requests.
 */
export const redisTunings = {
  /** A lookup with a fallback (auth's revocation check: Postgres can answer instead). */
  failFast: { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 500, connectTimeout: 1000 },
  /** A page waiting on it: one retry, then a quick "try again" beats a long wait. */
  interactive: { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 1000, connectTimeout: 2000 },
} as const;

export type RedisTuning = keyof typeof redisTunings;

/** A Redis client whose errors are logged as warnings (ioredis reconnects on its own). */
export function createRedis(url: string, logger: Logger, tuning: RedisTuning): Redis {
  const redis = new Redis(url, { ...redisTunings[tuning] });
  redis.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis error'));
  return redis;
}
