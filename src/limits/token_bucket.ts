import { type Clock, SYSTEM_CLOCK } from "./clock.ts";

/** A rate: `capacity` tokens (the burst), refilled at `capacity` per `interval` milliseconds. */
export interface RateLimit {
  /** Most tokens the bucket holds: the largest burst allowed. */
  capacity: number;
  /** Milliseconds to refill a whole bucket. @default {1_000} */
  interval?: number;
}

/** The outcome of {@linkcode TokenBucket.take}. */
export type TakeResult =
  | { ok: true; remaining: number }
  | { ok: false; retryAfter: number };

/**
 * A token bucket: each `take(n)` spends `n` tokens; tokens refill continuously. The state is two
 * numbers, computed lazily from the clock (no timers).
 *
 * @example
 * ```ts
 * import { ManualClock, TokenBucket } from "@aero/socket/security";
 * import assert from "node:assert/strict";
 *
 * const clock = new ManualClock();
 * const bucket = new TokenBucket({ capacity: 2, interval: 1_000 }, clock);
 * assert.equal(bucket.take().ok, true);
 * assert.equal(bucket.take().ok, true);
 * const refused = bucket.take();
 * assert.deepEqual(refused, { ok: false, retryAfter: 500 });
 * clock.advance(500);
 * assert.equal(bucket.take().ok, true);
 * ```
 */
export class TokenBucket {
  readonly #capacity: number;
  readonly #perMs: number;
  readonly #clock: Clock;
  #tokens: number;
  #updated: number;

  /** A full bucket for `limit`. Throws `RangeError` for a non-positive capacity or interval. */
  constructor(limit: RateLimit, clock: Clock = SYSTEM_CLOCK) {
    const interval = limit.interval ?? 1_000;
    if (!(limit.capacity > 0) || !Number.isFinite(limit.capacity)) {
      throw new RangeError(`Cannot create token bucket: invalid capacity ${limit.capacity}`);
    }
    if (!(interval > 0) || !Number.isFinite(interval)) {
      throw new RangeError(`Cannot create token bucket: invalid interval ${interval}`);
    }
    this.#capacity = limit.capacity;
    this.#perMs = limit.capacity / interval;
    this.#clock = clock;
    this.#tokens = limit.capacity;
    this.#updated = clock.now();
  }

  /** Tokens available now. */
  get tokens(): number {
    this.#refill();
    return this.#tokens;
  }

  /** Whether the bucket is full (it can be forgotten without changing behaviour). */
  get full(): boolean {
    return this.tokens >= this.#capacity;
  }

  /**
   * Spends `n` tokens if available; otherwise spends nothing and says how many milliseconds
   * until `n` tokens will be there (`Infinity` when `n` exceeds the capacity).
   */
  take(n = 1): TakeResult {
    this.#refill();
    if (n <= this.#tokens) {
      this.#tokens -= n;
      return { ok: true, remaining: this.#tokens };
    }
    if (n > this.#capacity) return { ok: false, retryAfter: Infinity };
    return { ok: false, retryAfter: Math.ceil((n - this.#tokens) / this.#perMs) };
  }

  #refill(): void {
    const now = this.#clock.now();
    const elapsed = now - this.#updated;
    this.#updated = now;
    if (elapsed > 0) this.#tokens = Math.min(this.#capacity, this.#tokens + elapsed * this.#perMs);
  }
}
