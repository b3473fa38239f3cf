/**
 * nginx's limit_req (leaky bucket, `burst=N nodelay`) for the Node gateway,
 * so both edges refuse the same request: a key's first request passes; each
 * later one adds 1 to its excess, which drains at `perMinute`; a request that
 * would lift the excess above `burst` is refused and not counted.
 */
export class RateLimiter {
  readonly #ratePerMs: number;
  readonly #burst: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, { excess: number; at: number }>();

  constructor(options: { perMinute: number; burst: number; now?: () => number }) {
    this.#ratePerMs = options.perMinute / 60_000;
    this.#burst = options.burst;
    this.#now = options.now ?? (() => performance.now());
  }

  /** True when the request may pass. */
  take(key: string): boolean {
    const now = this.#now();
    const bucket = this.#buckets.get(key);
    if (!bucket) {
      this.#sweep(now);
      this.#buckets.set(key, { excess: 0, at: now });
      return true;
    }
    const excess = Math.max(0, bucket.excess - (now - bucket.at) * this.#ratePerMs) + 1;
    if (excess > this.#burst) return false;
    bucket.excess = excess;
    bucket.at = now;
    return true;
  }

  /** Forget keys whose bucket has drained, so memory follows active clients only. */
  #sweep(now: number): void {
    if (this.#buckets.size < 10_000) return;
    for (const [key, bucket] of this.#buckets) {
      if (bucket.excess - (now - bucket.at) * this.#ratePerMs <= 0) this.#buckets.delete(key);
    }
  }
}
