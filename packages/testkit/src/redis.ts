import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { dockerReachable } from './docker.js';

export type RedisSource = { url: string; via: string } | { url: undefined; why: string };

let source: Promise<RedisSource> | undefined;

/** REDIS_URL, else a testcontainers Redis when Docker answers, else none (with the reason). */
export function redisServer(): Promise<RedisSource> {
  source ??= (async (): Promise<RedisSource> => {
    const fromEnv = process.env.REDIS_URL;
    if (fromEnv) {
      const client = new Redis(fromEnv, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 3000 });
      try {
        await client.connect();
        await client.ping();
      } catch (err) {
        throw new Error(`REDIS_URL is set but Redis does not answer: ${(err as Error).message}`, { cause: err });
      } finally {
        client.disconnect();
      }
      return { url: fromEnv, via: 'REDIS_URL' };
    }
    if (await dockerReachable()) {
      try {
        const { RedisContainer } = await import('@testcontainers/redis');
        const container = await new RedisContainer(process.env.TEST_REDIS_IMAGE ?? 'redis:7').start();
        return { url: container.getConnectionUrl(), via: 'testcontainers' };
      } catch (err) {
        return { url: undefined, why: `testcontainers could not start Redis (${(err as Error).message})` };
      }
    }
    return { url: undefined, why: 'REDIS_URL is not set and no Docker engine is reachable' };
  })();
  return source;
}

export interface TestRedis {
  url: string;
  /** Every key a test writes starts with this, so parallel test files never collide. */
  prefix: string;
  client: Redis;
  cleanup(): Promise<void>;
}

export async function freshRedis(): Promise<TestRedis> {
  const server = await redisServer();
  if (server.url === undefined) throw new Error(`no Redis for tests: ${server.why}`);
  const prefix = `gatehouse-test:${randomBytes(6).toString('hex')}:`;
  const client = new Redis(server.url, { maxRetriesPerRequest: 1 });
  return {
    url: server.url,
    prefix,
    client,
    async cleanup() {
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        if (keys.length) await client.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      client.disconnect();
    },
  };
}
