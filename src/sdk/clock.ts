/** An opaque timer handle returned by {@linkcode Clock.setTimeout}. */
export type TimerHandle = number;

/**
 * Time as the client sees it: the current time and one-shot timers. The client never calls
 * `Date.now()` or `setTimeout` directly, so tests can drive it with
 * {@linkcode createManualClock}.
 *
 * @example
 * ```ts
 * import { SYSTEM_CLOCK } from "@aero/socket/sdk";
 * import assert from "node:assert/strict";
 *
 * const fired = await new Promise<boolean>((resolve) => SYSTEM_CLOCK.setTimeout(() => resolve(true), 1));
 * assert.equal(fired, true);
 * assert.equal(typeof SYSTEM_CLOCK.now(), "number");
 * ```
 */
export interface Clock {
  /** Milliseconds since an arbitrary origin; never decreases. */
  now(): number;
  /** Calls `callback` once after `ms` milliseconds. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /** Cancels a timer; unknown or fired handles are ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/**
 * The real clock: `performance.now()` and the platform timers.
 *
 * @example
 * ```ts
 * import { SYSTEM_CLOCK } from "@aero/socket/sdk";
 * import assert from "node:assert/strict";
 *
 * const handle = SYSTEM_CLOCK.setTimeout(() => assert.fail("cancelled"), 5);
 * SYSTEM_CLOCK.clearTimeout(handle);
 * assert.ok(SYSTEM_CLOCK.now() >= 0);
 * ```
 */
export const SYSTEM_CLOCK: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms) as unknown as TimerHandle,
  clearTimeout: (handle) => clearTimeout(handle),
};

/** A {@linkcode Clock} that only moves when told to, for tests. */
export interface ManualClock extends Clock {
  /** Timers waiting to fire. */
  readonly pending: number;
  /**
   * Moves time forward by `ms`, firing due timers in order; after each timer, pending promise
   * callbacks and I/O get a turn before the next one fires.
   */
  advance(ms: number): Promise<void>;
  /** Moves time to the next timer and fires it; resolves `false` when none is pending. */
  next(): Promise<boolean>;
}

/**
 * Creates a {@linkcode ManualClock} starting at `start` milliseconds.
 *
 * @example Fire timers by advancing time
 * ```ts
 * import { createManualClock } from "@aero/socket/sdk";
 * import assert from "node:assert/strict";
 *
 * const clock = createManualClock();
 * const fired: number[] = [];
 * clock.setTimeout(() => fired.push(clock.now()), 100);
 * clock.setTimeout(() => fired.push(clock.now()), 50);
 * await clock.advance(60);
 * assert.deepEqual(fired, [50]);
 * await clock.advance(40);
 * assert.deepEqual(fired, [50, 100]);
 * assert.equal(clock.pending, 0);
 * ```
 */
export function createManualClock(start = 0): ManualClock {
  let now = start;
  let nextHandle = 1;
  const timers = new Map<TimerHandle, { at: number; seq: number; callback: () => void }>();
  const due = (limit: number) => {
    let best: [TimerHandle, { at: number; seq: number; callback: () => void }] | undefined;
    for (const entry of timers) {
      const [, timer] = entry;
      if (timer.at > limit) continue;
      if (
        best === undefined || timer.at < best[1].at ||
        (timer.at === best[1].at && timer.seq < best[1].seq)
      ) {
        best = entry;
      }
    }
    return best;
  };
  const fire = async ([handle, timer]: [TimerHandle, { at: number; callback: () => void }]) => {
    timers.delete(handle);
    now = Math.max(now, timer.at);
    timer.callback();
    await _settle();
  };
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const handle = nextHandle++;
      timers.set(handle, { at: now + Math.max(0, ms), seq: handle, callback });
      return handle;
    },
    clearTimeout(handle) {
      timers.delete(handle);
    },
    get pending() {
      return timers.size;
    },
    async advance(ms) {
      const target = now + ms;
      await _settle();
      for (let entry = due(target); entry !== undefined; entry = due(target)) await fire(entry);
      now = target;
      await _settle();
    },
    async next() {
      await _settle();
      const entry = due(Infinity);
      if (entry === undefined) return false;
      await fire(entry);
      return true;
    },
  };
}

// Lets promise callbacks and in-memory stream hops run: a few macrotask turns.
async function _settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}
