/**
 * Requests per client, limited with a token bucket: a burst of `burst`
 * requests, then `perSecond` a second. A client over the limit is told how
 * long to wait (`Retry-After`).
 *
 * @module
 */

/** Options of {@linkcode rateLimiter}. */
export interface RateLimitOptions {
  /** Requests a client may make at once. */
  burst: number;
  /** Requests a second a client may make after its burst. */
  perSecond: number;
  /** Milliseconds, monotonic; `performance.now` by default. */
  now?: () => number;
}

/** The default: a dashboard's page load and its polling fit, a loop hammering the API does not. */
export const DEFAULT_RATE_LIMIT: RateLimitOptions = { burst: 60, perSecond: 10 };

/** At most this many clients are remembered; the longest-idle are forgotten first. */
const MAX_CLIENTS = 10_000;

/**
 * A limiter: asked for a client's request, it answers 0 when it may go ahead, else the seconds to wait.
 *
 * @param options The burst and the rate.
 * @returns The limiter.
 *
 * @example
 * ```ts
 * import { rateLimiter } from "./rate_limit.ts";
 * let time = 0;
 * const limit = rateLimiter({ burst: 2, perSecond: 1, now: () => time });
 * console.assert(limit("a") === 0 && limit("a") === 0 && limit("a") === 1 && limit("b") === 0);
 * ```
 */
export function rateLimiter(options: RateLimitOptions): (client: string) => number {
  const now = options.now ?? (() => performance.now());
  const buckets = new Map<string, { tokens: number; at: number }>();
  return (client) => {
    const time = now();
    const bucket = buckets.get(client) ?? { tokens: options.burst, at: time };
    buckets.delete(client);
    bucket.tokens = Math.min(options.burst, bucket.tokens + ((time - bucket.at) / 1000) * options.perSecond);
    bucket.at = time;
    buckets.set(client, bucket);
    if (buckets.size > MAX_CLIENTS) buckets.delete(buckets.keys().next().value!);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / options.perSecond));
  };
}
