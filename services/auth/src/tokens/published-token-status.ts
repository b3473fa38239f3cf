import type { Clock } from '@gatehouse/service-kit';
import type { RevocationFeed } from './revocation-feed.js';
import type { TokenStatus } from './token-status.js';

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
  return {
    ...status,
    async revokeJti(q, jti, expiresAt) {
      await status.revokeJti(q, jti, expiresAt);
      await feed.append({ kind: 'jti', subject: jti, exp: Math.ceil(expiresAt.getTime() / 1000) });
    },
    async sessionRevoked(sessionId) {
      await status.sessionRevoked(sessionId);
      await feed.append({ kind: 'session', subject: sessionId, exp: lastExpiry() });
    },
    async userSessionsCut(userId, validFrom) {
      await status.userSessionsCut(userId, validFrom);
      await feed.append({ kind: 'user', subject: userId, before: validFrom, exp: validFrom + accessTtlSeconds });
    },
  };
}
