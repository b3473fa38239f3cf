import type { Clock } from '@gatehouse/service-kit';
import type { RevocationEvent } from '@gatehouse/token-verifier';
import type { RevocationFeed } from './revocation-feed.js';
import type { NewRevocationEvent } from './revocation-events.js';
import type { Revocation, TokenStatus } from './token-status.js';

/**
 * Every revocation auth records also goes out on the feed, so verifiers in
 * other services refuse the same tokens. Each event lives as long as the
 * newest token it covers: a session's or a user's tokens were all issued by
 * now, so they are all expired one access-token lifetime from now.
 */
export function publishRevocations(
  status: TokenStatus,
  feed: RevocationFeed,
  clock: Clock,
  accessTtlSeconds: number,
): TokenStatus {
  const lastExpiry = () => Math.floor(clock.now().getTime() / 1000) + accessTtlSeconds;
  const eventOf = (r: Revocation): NewRevocationEvent => {
    if (r.kind === 'jti') return { kind: 'jti', subject: r.jti, exp: Math.ceil(r.expiresAt.getTime() / 1000) };
    if (r.kind === 'session') return { kind: 'session', subject: r.sessionId, exp: lastExpiry() };
    return { kind: 'user', subject: r.userId, before: r.validFrom, exp: r.validFrom + accessTtlSeconds };
  };
  return {
    ...status,
    async record(tx, revocations) {
      const afterStatus = await status.record(tx, revocations);
      const events: RevocationEvent[] = [];
      for (const r of revocations) events.push(await feed.record(tx, eventOf(r)));
      return async () => {
        await afterStatus();
        feed.publish(events);
      };
    },
  };
}
