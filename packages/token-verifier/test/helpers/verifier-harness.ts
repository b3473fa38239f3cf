import type { ExecutionContext } from 'ava';
import { ManualClock } from '@gatehouse/service-kit';
import { redisServer, testNeeding } from '@gatehouse/testkit';
import { createVerifier, type FeedOptions, type Verifier, type VerifierOptions } from '../../src/index.js';
import { serviceSecret, startAuth, type Harness } from '../../../../services/auth/test/helpers/harness.js';

export type Transport = 'redis' | 'stream';
export const transports: Transport[] = ['redis', 'stream'];

const redisSource = await redisServer();
/** A serial test over `transport`: the Redis one needs a Redis server (skipped with the reason, or failed in CI). */
export const serialTest = (transport: Transport) =>
  testNeeding(transport === 'redis' && redisSource.url === undefined ? redisSource.why : undefined, { serial: true });

/** An auth service, with Redis when the transport needs it, beating fast so tests need not wait. */
export function authFor(
  t: ExecutionContext,
  transport: Transport,
  options: { clock?: ManualClock; env?: Record<string, string> } = {},
) {
  const env = { REVOCATION_HEARTBEAT_MS: '100', ...options.env };
  return startAuth(t, { redis: transport === 'redis', env, ...(options.clock ? { clock: options.clock } : {}) });
}

export function feedFor(h: Harness, transport: Transport, urls: { redis?: string } = {}): FeedOptions {
  if (transport === 'stream') return { transport: 'stream' };
  return { transport: 'redis', url: urls.redis ?? h.redis!.url, channel: `${h.redis!.prefix}revocations` };
}

/** A verifier in this test process against `h`, closed after the test. */
export async function verifierFor(
  t: ExecutionContext,
  h: Harness,
  transport: Transport,
  overrides: Partial<VerifierOptions> = {},
): Promise<Verifier> {
  const verifier = await createVerifier({
    authUrl: h.url,
    audience: h.config.JWT_AUDIENCE,
    issuer: h.config.PUBLIC_URL,
    credentials: { service: 'test', secret: serviceSecret },
    feed: feedFor(h, transport),
    staleAfterMs: 1000,
    clock: h.clock,
    ...overrides,
  });
  t.teardown(() => verifier.close());
  return verifier;
}

/** Polls until `check` holds, or fails after `ms`. */
export async function eventually(check: () => Promise<boolean> | boolean, ms = 3000): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < ms) {
    if (await check()) return performance.now() - start;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`condition not met within ${ms} ms`);
}
