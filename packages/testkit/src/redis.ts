import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { redisServer } from './servers.js';

export interface TestRedis {
  url: string;
  /** Every key a test writes starts with this, so parallel test files never collide. */
  prefix: string;
  client: Redis;
  cleanup(): Promise<void>;
}

export async function freshRedis(): Promise<TestRedis> {
  const server = await redisServer();
  if (server.url === undefined) throw new Error(`tests: ${server.why}`);
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
