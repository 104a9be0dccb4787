import type { Clock } from "../limits/clock.ts";
import { KeyedBuckets } from "../limits/keyed_buckets.ts";
import { TokenBucket } from "../limits/token_bucket.ts";
import type { RateLimitOptions } from "./security_options.ts";

/** @internal The rate-limit state a `Security` policy shares between its connections. */
export interface _RateLimits {
  /** Upgrades from all IPs together, if limited. */
  global: TokenBucket | undefined;
  /** Upgrades per IP, if limited. */
  upgrades: KeyedBuckets | undefined;
  /** Publishes per topic, if limited. */
  publishes: KeyedBuckets | undefined;
  /** Concurrent connections per IP (`Infinity` when off). */
  connectionsPerIp: number;
}

/**
 * @internal Resolves the defaults of `limits` and validates them all up front, the
 * per-connection ones included (bad limits throw `TypeError`/`RangeError`).
 */
export function _resolveRateLimits(limits: RateLimitOptions, clock: Clock): _RateLimits {
  const global = limits.global ?? null;
  const upgrades = limits.upgradesPerIp === undefined
    ? { capacity: 30, interval: 60_000 }
    : limits.upgradesPerIp;
  const publishes = limits.publishesPerTopic === undefined
    ? { capacity: 1_000, interval: 1_000 }
    : limits.publishesPerTopic;
  const state: _RateLimits = {
    global: global === null ? undefined : new TokenBucket(global, clock),
    upgrades: upgrades === null ? undefined : new KeyedBuckets(upgrades, { clock }),
    publishes: publishes === null ? undefined : new KeyedBuckets(publishes, { clock }),
    connectionsPerIp: limits.connectionsPerIp === undefined
      ? 64
      : limits.connectionsPerIp ?? Infinity,
  };
  if (!(state.connectionsPerIp >= 1)) {
    throw new RangeError("Cannot create security policy: connectionsPerIp below 1");
  }
  // Validate the per-connection limits now rather than at the first connection.
  for (const limit of [limits.messagesPerConnection, limits.bytesPerConnection]) {
    if (limit !== undefined && limit !== null) new TokenBucket(limit, clock);
  }
  return state;
}
