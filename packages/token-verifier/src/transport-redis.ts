import { Redis } from 'ioredis';
import type { AuthEndpoints } from './auth-endpoints.js';
import { parseFeedMessage } from './feed-messages.js';
import type { FeedState } from './feed-state.js';
import { catchUpOverHttp, type FeedTransport } from './transport.js';

export interface RedisTransportOptions {
  url: string;
  /** The channel auth publishes on: `${auth's REDIS_PREFIX}revocations`. */
  channel: string;
}

/**
 * Pushes arrive by Redis pub/sub; a gap (a late start, a reconnect, a missed
 * message) is filled by reading auth's events after our sequence number.
 */
export function redisTransport(
  options: RedisTransportOptions,
  endpoints: AuthEndpoints,
  onError: (err: Error) => void,
) {
  return (state: FeedState): FeedTransport => {
    const subscriber = new Redis(options.url, { maxRetriesPerRequest: null, connectTimeout: 2000 });
    subscriber.on('error', (err: Error) => onError(err));
    subscriber.on('close', () => state.lost());
    subscriber.on('message', (_channel: string, text: string) => {
      const message = parseFeedMessage(text);
      if (message) state.receive(message);
    });
    // ioredis resubscribes after a reconnect; whatever was published meanwhile is read back.
    subscriber.on('ready', () => catchUp(state.lastSeq));
    const { catchUp, settled } = catchUpOverHttp(endpoints, state, onError);
    const subscribed = subscriber.subscribe(options.channel);
    return {
      catchUp,
      ready: subscribed.then(() => settled()),
      async close() {
        subscriber.disconnect();
        await settled();
      },
    };
  };
}
