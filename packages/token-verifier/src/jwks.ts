import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { signingAlgorithms, type SigningAlgorithm, type VerificationKey } from './token-rules.js';

export interface JwksCacheOptions {
  /** `${authUrl}/.well-known/jwks.json` */
  url: string;
  /** Least time between two fetches caused by unknown kids. */
  refetchIntervalMs: number;
  timeoutMs: number;
  now: () => number;
  onError: (err: Error) => void;
}

const retryAfterFailureMs = 1000;

/**
 * Auth's public keys, fetched once and kept. A token with an unknown kid may
 * cause a refetch (a rotated-in key), but at most one per interval and one at
 * a time, so a flood of garbage kids costs auth a handful of requests.
 */
export class JwksCache {
  private keys = new Map<string, VerificationKey>();
  private fetching: Promise<void> | undefined;
  private lastFetchAt = Number.NEGATIVE_INFINITY;
  /** How many times the JWKS was requested (tests and metrics). */
  fetches = 0;

  constructor(private readonly options: JwksCacheOptions) {}

  get(kid: string): VerificationKey | undefined {
    return this.keys.get(kid);
  }

  /** Fetches now unless a fetch is running (then waits for it) or one ran within the interval. */
  async refresh(): Promise<void> {
    if (this.fetching) return this.fetching;
    if (this.options.now() - this.lastFetchAt < this.options.refetchIntervalMs) return;
    this.lastFetchAt = this.options.now();
    this.fetching = this.load().finally(() => {
      this.fetching = undefined;
    });
    return this.fetching;
  }

  private async load(): Promise<void> {
    this.fetches += 1;
    try {
      const response = await fetch(this.options.url, { signal: AbortSignal.timeout(this.options.timeoutMs) });
      if (!response.ok) throw new Error(`JWKS answered ${response.status}`);
      const body = (await response.json()) as { keys?: unknown };
      const keys = new Map<string, VerificationKey>();
      for (const jwk of Array.isArray(body.keys) ? (body.keys as JsonWebKey[]) : []) {
        const key = toVerificationKey(jwk);
        if (key) keys.set(key.kid, key);
      }
      // Keys we had stay usable: a JWKS briefly served by an old replica must not drop a current key.
      for (const [kid, key] of keys) this.keys.set(kid, key);
    } catch (err) {
      // A failed fetch (auth restarting) may be retried after a second, not a whole interval.
      this.lastFetchAt = Math.min(
        this.lastFetchAt,
        this.options.now() - this.options.refetchIntervalMs + retryAfterFailureMs,
      );
      this.options.onError(err as Error);
    }
  }
}

/** Only signing keys of the pinned algorithms, and only of the matching key type and size. */
function toVerificationKey(jwk: JsonWebKey): VerificationKey | undefined {
  const { kid, alg } = jwk as { kid?: unknown; alg?: unknown };
  if (typeof kid !== 'string' || !signingAlgorithms.includes(alg as SigningAlgorithm)) return undefined;
  if (jwk.use !== undefined && jwk.use !== 'sig') return undefined;
  try {
    const publicKey = createPublicKey({ key: jwk, format: 'jwk' });
    const fits =
      alg === 'ES256'
        ? publicKey.asymmetricKeyType === 'ec' && publicKey.asymmetricKeyDetails?.namedCurve === 'prime256v1'
        : publicKey.asymmetricKeyType === 'rsa' && (publicKey.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048;
    return fits ? { kid, alg: alg as SigningAlgorithm, publicKey } : undefined;
  } catch {
    return undefined;
  }
}
