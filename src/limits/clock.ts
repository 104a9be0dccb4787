/**
 * A source of time for rate limits, bans and token expiry. Inject a {@linkcode ManualClock} in
 * tests instead of waiting for real time to pass.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `callback` after `ms` milliseconds; returns a handle for `clearTimeout`. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a callback scheduled with `setTimeout`. */
  clearTimeout(handle: unknown): void;
}

/**
 * The real clock: `Date.now()` and the global timers.
 *
 * @example
 * ```ts
 * import { SYSTEM_CLOCK } from "@aero/socket/security";
 * import assert from "node:assert/strict";
 *
 * assert.ok(Math.abs(SYSTEM_CLOCK.now() - Date.now()) < 1000);
 * ```
 */
export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as number),
};

/**
 * A clock that only moves when told to: `advance(ms)` runs every timer that falls due, in order.
 *
 * @example
 * ```ts
 * import { ManualClock } from "@aero/socket/security";
 * import assert from "node:assert/strict";
 *
 * const clock = new ManualClock(1_000);
 * let fired = 0;
 * clock.setTimeout(() => fired++, 500);
 * clock.advance(499);
 * assert.equal(fired, 0);
 * clock.advance(1);
 * assert.equal(fired, 1);
 * assert.equal(clock.now(), 1_500);
 * ```
 */
export class ManualClock implements Clock {
  #now: number;
  #nextId = 1;
  readonly #timers = new Map<number, { at: number; callback: () => void }>();

  /** Starts at `start` milliseconds since the epoch. */
  constructor(start = 0) {
    this.#now = start;
  }

  /** The current time. */
  now(): number {
    return this.#now;
  }

  /** Schedules `callback` at `now() + ms`. */
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), callback });
    return id;
  }

  /** Cancels a scheduled callback. */
  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** Moves time forward by `ms`, running the timers that fall due on the way. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let next: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.#timers) {
        if (entry[1].at <= end && (next === undefined || entry[1].at < next[1].at)) next = entry;
      }
      if (next === undefined) break;
      this.#timers.delete(next[0]);
      this.#now = next[1].at;
      next[1].callback();
    }
    this.#now = end;
  }
}
