import { createVerifier, type Verifier } from '@gatehouse/token-verifier';
import type { Logger } from '@gatehouse/service-kit';
import type { MirrorConfig } from './config.js';

/** `@gatehouse/token-verifier`: JWKS checks locally, revocations from auth's feed (stream; no Redis needed). */
export function loadVerifier(config: MirrorConfig, logger: Logger): Promise<Verifier> {
  return createVerifier({
    authUrl: config.AUTH_URL,
    audience: config.JWT_AUDIENCE,
    issuer: config.JWT_ISSUER ?? config.PUBLIC_URL,
    credentials: { service: 'mirror', secret: config.SERVICE_SECRET },
    feed: { transport: 'stream' },
    // Sockets stay honest while the feed is down, at the price of one call to auth per check.
    whenStale: 'introspect',
    onError: (err) => logger.warn({ err: err.message }, 'token verifier'),
  });
}
