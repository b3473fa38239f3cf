import { AuthEndpoints, type ServiceCredentials } from './auth-endpoints.js';
import { FeedState } from './feed-state.js';
import { JwksCache } from './jwks.js';
import type { RevocationEvent } from './revocation-event.js';
import { RevocationSet } from './revocation-set.js';
import { checkAccessToken, type VerificationKey, type Verdict } from './token-rules.js';
import { redisTransport, type RedisTransportOptions } from './transport-redis.js';
import { streamTransport } from './transport-stream.js';
import type { FeedTransport } from './transport.js';
import { VerifiedTokens } from './verified-tokens.js';

export type FeedOptions = ({ transport: 'redis' } & RedisTransportOptions) | { transport: 'stream' };

export interface VerifierOptions {
  /** auth's internal base URL: JWKS, revocation feed and introspection live under it. */
  authUrl: string;
  /** The `aud` tokens must carry (auth's JWT_AUDIENCE). */
  audience: string;
  /** The `iss` tokens must carry (auth's JWT_ISSUER, else its PUBLIC_URL). Default: authUrl's origin. */
  issuer?: string;
  /** This service's name and auth's SERVICE_SECRET, for the feed and introspection. */
  credentials: ServiceCredentials;
  feed: FeedOptions;
  /** Past this long without word from the feed, tokens are refused (or introspected). */
  staleAfterMs?: number;
  /** While the feed is stale: refuse every token (default), or ask auth about each one. */
  whenStale?: 'refuse' | 'introspect';
  /** Least time between two JWKS fetches caused by unknown kids. */
  jwksRefetchIntervalMs?: number;
  /** Longest wait for one request to auth. */
  timeoutMs?: number;
  /** Tokens whose signature check is remembered (see VerifiedTokens); 0 checks every call afresh. */
  verifiedCacheSize?: number;
  /** How long `createVerifier` waits for auth before returning a verifier that refuses until it hears from it. */
  startTimeoutMs?: number;
  /** Token time (exp, nbf, pruning). Feed freshness always uses the monotonic clock. */
  clock?: { now(): Date };
  onError?: (err: Error) => void;
}

export interface Verifier {
  /** Never throws: a token is either good right now, or refused with a reason. */
  verify(token: string): Promise<Verdict>;
  /** Called for every revocation as it arrives (close long-lived connections it covers). Returns an unsubscribe. */
  onRevoked(listener: (event: RevocationEvent) => void): () => void;
  /** Whether the feed is current, so a token can be vouched for without asking auth. */
  isFresh(): boolean;
  stats(): { jwksFetches: number; revocations: number; lastSeq: number; verifiedCacheHits: number };
  close(): Promise<void>;
}

const pruneEveryMs = 30_000;

export async function createVerifier(options: VerifierOptions): Promise<Verifier> {
  const clock = options.clock ?? { now: () => new Date() };
  const onError = options.onError ?? (() => {});
  const monotonic = () => performance.now();
  const timeoutMs = options.timeoutMs ?? 2000;
  const settings = { audience: options.audience, issuer: options.issuer ?? new URL(options.authUrl).origin };
  const endpoints = new AuthEndpoints(options.authUrl, options.credentials, timeoutMs);
  const jwks = new JwksCache({
    url: endpoints.url('/.well-known/jwks.json'),
    refetchIntervalMs: options.jwksRefetchIntervalMs ?? 10_000,
    timeoutMs,
    now: monotonic,
    onError,
  });
  const revoked = new RevocationSet();
  const listeners = new Set<(event: RevocationEvent) => void>();
  const apply = (event: RevocationEvent) => {
    revoked.add(event);
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (err) {
        onError(err as Error);
      }
    }
  };
  const transportRef: { current?: FeedTransport } = {};
  const state = new FeedState({
    staleAfterMs: options.staleAfterMs ?? 5000,
    now: monotonic,
    apply,
    catchUp: (afterSeq) => transportRef.current?.catchUp(afterSeq),
  });
  const factory =
    options.feed.transport === 'redis'
      ? redisTransport(options.feed, endpoints, onError)
      : streamTransport(endpoints, onError);
  const transport = factory(state);
  transportRef.current = transport;
  const pruner = setInterval(() => revoked.prune(Math.floor(clock.now().getTime() / 1000)), pruneEveryMs).unref();

  const startTimeout = new Promise((resolve) => setTimeout(resolve, options.startTimeoutMs ?? 3000).unref());
  await Promise.race([Promise.all([jwks.refresh(), transport.ready]), startTimeout]);

  const verified = new VerifiedTokens(options.verifiedCacheSize ?? 2048);
  const keyOf = (kid: string) => jwks.get(kid);
  const check = (token: string, nowSeconds: number): { verdict: Verdict; missingKid: boolean } => {
    const cached = verified.get(token, keyOf, nowSeconds);
    if (cached) return { verdict: { ok: true, claims: cached }, missingKid: false };
    let missingKid = false;
    let used: VerificationKey | undefined;
    const keyFor = (kid: string): VerificationKey | undefined => {
      used = jwks.get(kid);
      missingKid = used === undefined;
      return used;
    };
    const verdict = checkAccessToken(token, keyFor, settings, nowSeconds);
    if (verdict.ok && used) verified.add(token, verdict.claims, used);
    return { verdict, missingKid };
  };

  return {
    async verify(token) {
      const nowSeconds = Math.floor(clock.now().getTime() / 1000);
      const first = check(token, nowSeconds);
      let { verdict } = first;
      if (first.missingKid) {
        await jwks.refresh();
        ({ verdict } = check(token, nowSeconds));
      }
      if (!verdict.ok) return verdict;
      if (revoked.covers(verdict.claims)) return { ok: false, reason: 'revoked' };
      if (state.isFresh()) return verdict;
      if (options.whenStale !== 'introspect') return { ok: false, reason: 'feed_stale' };
      try {
        return (await endpoints.introspect(token)) ? verdict : { ok: false, reason: 'revoked' };
      } catch (err) {
        onError(err as Error);
        return { ok: false, reason: 'feed_stale' };
      }
    },
    onRevoked(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    isFresh: () => state.isFresh(),
    stats: () => ({
      jwksFetches: jwks.fetches,
      revocations: revoked.size,
      lastSeq: state.lastSeq,
      verifiedCacheHits: verified.hits,
    }),
    async close() {
      clearInterval(pruner);
      await transport.close();
    },
  };
}
