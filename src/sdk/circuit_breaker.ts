import { type Clock, SYSTEM_CLOCK } from "./clock.ts";

/**
 * States of a {@linkcode CircuitBreaker}: `closed` lets attempts through; `open` refuses them
 * until its cooldown has passed; `half-open` lets one probe through, whose outcome closes or
 * reopens the breaker.
 *
 * @example
 * ```ts
 * import { BREAKER_STATE, isBreakerState } from "@aero/socket/sdk";
 * import assert from "node:assert/strict";
 *
 * assert.equal(BREAKER_STATE.HALF_OPEN, "half-open");
 * assert.equal(isBreakerState("open"), true);
 * ```
 */
export const BREAKER_STATE = {
  /** Attempts go through; consecutive failures are counted. */
  CLOSED: "closed",
  /** Attempts are refused until the cooldown has passed. */
  OPEN: "open",
  /** One probe attempt is allowed. */
  HALF_OPEN: "half-open",
} as const;

/** One of the {@linkcode BREAKER_STATE} values. */
export type BreakerState = typeof BREAKER_STATE[keyof typeof BREAKER_STATE];

/**
 * Whether `value` is a {@linkcode BreakerState}.
 *
 * @example
 * ```ts
 * import { isBreakerState } from "@aero/socket/sdk";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isBreakerState("ajar"), false);
 * ```
 */
export function isBreakerState(value: unknown): value is BreakerState {
  return value === "closed" || value === "open" || value === "half-open";
}

/** Options for a {@linkcode CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /**
   * Consecutive failures that open the breaker; `Infinity` never opens it.
   *
   * @default {5}
   */
  threshold?: number;
  /**
   * Milliseconds the breaker stays open before allowing a half-open probe.
   *
   * @default {30_000}
   */
  cooldown?: number;
  /**
   * Time source.
   *
   * @default {SYSTEM_CLOCK}
   */
  clock?: Clock;
}

/**
 * Stops a client from hammering a server that keeps failing: after `threshold` consecutive
 * failures it opens for `cooldown` ms, then lets one probe through (half-open). A successful
 * probe closes it; a failed one opens it again. Listeners see every transition.
 *
 * @example Open, half-open, closed
 * ```ts
 * import { CircuitBreaker, createManualClock } from "@aero/socket/sdk";
 * import assert from "node:assert/strict";
 *
 * const clock = createManualClock();
 * const breaker = new CircuitBreaker({ threshold: 2, cooldown: 1_000, clock });
 * const seen: string[] = [];
 * breaker.onChange((state) => seen.push(state));
 * breaker.recordFailure();
 * breaker.recordFailure();
 * assert.equal(breaker.state, "open");
 * assert.equal(breaker.tryAcquire(), false);
 * assert.equal(breaker.retryIn(), 1_000);
 * await clock.advance(1_000);
 * assert.equal(breaker.tryAcquire(), true);
 * assert.equal(breaker.state, "half-open");
 * breaker.recordSuccess();
 * assert.deepEqual(seen, ["open", "half-open", "closed"]);
 * ```
 */
export class CircuitBreaker {
  readonly #threshold: number;
  readonly #cooldown: number;
  readonly #clock: Clock;
  readonly #listeners = new Set<(state: BreakerState) => void>();
  #state: BreakerState = BREAKER_STATE.CLOSED;
  #failures = 0;
  #openedAt = 0;

  /**
   * Creates a closed breaker.
   *
   * @throws {RangeError} for a threshold below 1 or a negative cooldown.
   */
  constructor(options: CircuitBreakerOptions = {}) {
    this.#threshold = options.threshold ?? 5;
    this.#cooldown = options.cooldown ?? 30_000;
    this.#clock = options.clock ?? SYSTEM_CLOCK;
    if (!(this.#threshold >= 1) || !(this.#cooldown >= 0)) {
      throw new RangeError("Cannot create circuit breaker: threshold ≥ 1 and cooldown ≥ 0");
    }
  }

  /** The current state. */
  get state(): BreakerState {
    return this.#state;
  }

  /** Consecutive failures recorded since the last success. */
  get failures(): number {
    return this.#failures;
  }

  /** Milliseconds until an attempt is allowed; 0 when one is allowed now. */
  retryIn(): number {
    if (this.#state !== BREAKER_STATE.OPEN) return 0;
    return Math.max(0, this.#openedAt + this.#cooldown - this.#clock.now());
  }

  /**
   * Asks to make an attempt: `true` when closed or half-open, or when open and the cooldown
   * has passed (the breaker turns half-open); `false` otherwise.
   */
  tryAcquire(): boolean {
    if (this.#state !== BREAKER_STATE.OPEN) return true;
    if (this.retryIn() > 0) return false;
    this.#set(BREAKER_STATE.HALF_OPEN);
    return true;
  }

  /** Records a successful attempt: the breaker closes and the failure count resets. */
  recordSuccess(): void {
    this.#failures = 0;
    this.#set(BREAKER_STATE.CLOSED);
  }

  /** Records a failed attempt: opens the breaker at the threshold or after a failed probe. */
  recordFailure(): void {
    this.#failures++;
    if (this.#state === BREAKER_STATE.HALF_OPEN || this.#failures >= this.#threshold) {
      this.#openedAt = this.#clock.now();
      this.#set(BREAKER_STATE.OPEN);
    }
  }

  /**
   * Ends the cooldown early (for example when the network comes back): an open breaker turns
   * half-open so that the next attempt is a probe.
   */
  probeNow(): void {
    if (this.#state === BREAKER_STATE.OPEN) this.#set(BREAKER_STATE.HALF_OPEN);
  }

  /** Calls `listener` on every state change; returns a function that removes it. */
  onChange(listener: (state: BreakerState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #set(state: BreakerState): void {
    if (state === this.#state) return;
    this.#state = state;
    for (const listener of [...this.#listeners]) listener(state);
  }
}
