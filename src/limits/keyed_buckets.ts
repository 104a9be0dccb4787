import { type Clock, SYSTEM_CLOCK } from "./clock.ts";
import { type RateLimit, type TakeResult, TokenBucket } from "./token_bucket.ts";

/**
 * One {@linkcode TokenBucket} per key (an IP address, a topic), bounded: beyond `maxKeys` the
 * full buckets are forgotten first, then the oldest, so an attacker cycling keys cannot grow
 * memory without limit.
 *
 * @example Per-topic publish limit
 * ```ts
 * import { KeyedBuckets, ManualClock } from "@aero/socket/security";
 * import assert from "node:assert/strict";
 *
 * const buckets = new KeyedBuckets({ capacity: 1, interval: 1_000 }, { clock: new ManualClock() });
 * assert.equal(buckets.take("chat.a").ok, true);
 * assert.equal(buckets.take("chat.a").ok, false);
 * assert.equal(buckets.take("chat.b").ok, true);
 * ```
 */
export class KeyedBuckets {
  readonly #limit: RateLimit;
  readonly #clock: Clock;
  readonly #maxKeys: number;
  readonly #buckets = new Map<string, TokenBucket>();

  /**
   * Buckets for `limit`. Options: `clock` (default the system clock) and `maxKeys`, the most keys
   * remembered (default `100_000`).
   */
  constructor(limit: RateLimit, options: { clock?: Clock; maxKeys?: number } = {}) {
    new TokenBucket(limit); // validates the limit up front
    this.#limit = limit;
    this.#clock = options.clock ?? SYSTEM_CLOCK;
    this.#maxKeys = options.maxKeys ?? 100_000;
  }

  /** Keys currently remembered. */
  get size(): number {
    return this.#buckets.size;
  }

  /** Spends `n` tokens from `key`'s bucket (see {@linkcode TokenBucket.take}). */
  take(key: string, n = 1): TakeResult {
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#maxKeys) this.#evict();
      bucket = new TokenBucket(this.#limit, this.#clock);
      this.#buckets.set(key, bucket);
    }
    return bucket.take(n);
  }

  /** Forgets `key` (its bucket starts full next time). */
  delete(key: string): void {
    this.#buckets.delete(key);
  }

  #evict(): void {
    for (const [key, bucket] of this.#buckets) if (bucket.full) this.#buckets.delete(key);
    // Map order is insertion order: drop the oldest quarter when nothing was full.
    let excess = this.#buckets.size - Math.floor(this.#maxKeys * 0.75);
    for (const key of this.#buckets.keys()) {
      if (excess-- <= 0) break;
      this.#buckets.delete(key);
    }
  }
}
