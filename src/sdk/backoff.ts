/** Reconnection delays: exponential backoff with full jitter. */
export interface BackoffOptions {
  /**
   * Upper bound of the first delay, in milliseconds.
   *
   * @default {500}
   */
  base?: number;
  /**
   * Largest delay, in milliseconds.
   *
   * @default {30_000}
   */
  max?: number;
  /**
   * Growth of the upper bound per failed attempt.
   *
   * @default {2}
   */
  factor?: number;
}

/**
 * The delay before reconnection attempt `attempt` (0 for the first retry): full jitter, a
 * uniformly random value in `[0, min(max, base × factor^attempt))`, so that many clients cut
 * off at once do not come back in lockstep.
 *
 * @throws {RangeError} for a negative or non-integer attempt or invalid options.
 *
 * @example
 * ```ts
 * import { backoffDelay } from "@aero/socket/sdk";
 * import assert from "node:assert/strict";
 *
 * const options = { base: 100, max: 1_000 };
 * assert.equal(backoffDelay(0, options, () => 0.5), 50);
 * assert.equal(backoffDelay(3, options, () => 0.5), 400);
 * assert.equal(backoffDelay(10, options, () => 0.5), 500); // capped at max
 * ```
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const { base, max, factor } = resolveBackoffOptions(options);
  if (!Number.isSafeInteger(attempt) || attempt < 0) {
    throw new RangeError(`Cannot compute backoff: invalid attempt ${attempt}`);
  }
  const ceiling = Math.min(max, base * factor ** Math.min(attempt, 64));
  return Math.floor(Math.min(Math.max(random(), 0), 1 - Number.EPSILON) * ceiling);
}

/**
 * Fills in and validates {@linkcode BackoffOptions}.
 *
 * @throws {RangeError} for a negative base or max, or a factor below 1.
 *
 * @example
 * ```ts
 * import { resolveBackoffOptions } from "@aero/socket/sdk";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(resolveBackoffOptions({ base: 10 }), { base: 10, max: 30_000, factor: 2 });
 * assert.throws(() => resolveBackoffOptions({ factor: 0.5 }), RangeError);
 * ```
 */
export function resolveBackoffOptions(options: BackoffOptions): Required<BackoffOptions> {
  const resolved = {
    base: options.base ?? 500,
    max: options.max ?? 30_000,
    factor: options.factor ?? 2,
  };
  if (!(resolved.base >= 0) || !(resolved.max >= 0) || !(resolved.factor >= 1)) {
    throw new RangeError("Cannot use backoff options: base and max must be ≥ 0, factor ≥ 1");
  }
  return resolved;
}
