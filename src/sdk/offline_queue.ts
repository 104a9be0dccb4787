/**
 * What an {@linkcode OfflineQueue} does when it is full: `"reject"` refuses the new item,
 * `"drop-oldest"` evicts the oldest item to make room.
 *
 * @example
 * ```ts
 * import { OVERFLOW_POLICY } from "@aero/socket/sdk";
 * import assert from "node:assert/strict";
 *
 * assert.equal(OVERFLOW_POLICY.DROP_OLDEST, "drop-oldest");
 * ```
 */
export const OVERFLOW_POLICY = {
  /** Refuse the new item. */
  REJECT: "reject",
  /** Evict the oldest item. */
  DROP_OLDEST: "drop-oldest",
} as const;

/** One of the {@linkcode OVERFLOW_POLICY} values. */
export type OverflowPolicy = typeof OVERFLOW_POLICY[keyof typeof OVERFLOW_POLICY];

/** Options for an {@linkcode OfflineQueue}. */
export interface OfflineQueueOptions {
  /**
   * Most items held; `0` disables queueing (every push is refused or evicts itself).
   *
   * @default {1_000}
   */
  maxSize?: number;
  /**
   * What happens to a push when the queue is full.
   *
   * @default {"reject"}
   */
  policy?: OverflowPolicy;
}

/** The outcome of {@linkcode OfflineQueue.push}. */
export type PushResult<T> =
  | { accepted: true; evicted?: T }
  | { accepted: false };

/**
 * A bounded first-in first-out queue for work that waits for a connection. Items leave in the
 * order they came, through {@linkcode OfflineQueue.drain}, or are taken out early with
 * {@linkcode OfflineQueue.remove} (cancelled or timed out).
 *
 * @example Bound and order
 * ```ts
 * import { OfflineQueue } from "@aero/socket/sdk";
 * import assert from "node:assert/strict";
 *
 * const queue = new OfflineQueue<string>({ maxSize: 2, policy: "drop-oldest" });
 * queue.push("a");
 * queue.push("b");
 * assert.deepEqual(queue.push("c"), { accepted: true, evicted: "a" });
 * assert.deepEqual(queue.drain(), ["b", "c"]);
 * assert.equal(queue.size, 0);
 * ```
 */
export class OfflineQueue<T> {
  readonly #maxSize: number;
  readonly #policy: OverflowPolicy;
  #items: T[] = [];

  /**
   * Creates an empty queue.
   *
   * @throws {RangeError} for a negative or non-integer `maxSize`.
   * @throws {TypeError} for an unknown policy.
   */
  constructor(options: OfflineQueueOptions = {}) {
    this.#maxSize = options.maxSize ?? 1_000;
    this.#policy = options.policy ?? OVERFLOW_POLICY.REJECT;
    if (!Number.isSafeInteger(this.#maxSize) || this.#maxSize < 0) {
      throw new RangeError(`Cannot create offline queue: invalid maxSize ${this.#maxSize}`);
    }
    if (this.#policy !== "reject" && this.#policy !== "drop-oldest") {
      throw new TypeError(`Cannot create offline queue: unknown policy ${String(this.#policy)}`);
    }
  }

  /** Items waiting. */
  get size(): number {
    return this.#items.length;
  }

  /** The bound. */
  get maxSize(): number {
    return this.#maxSize;
  }

  /**
   * Appends `item`. When the queue is full, the `"reject"` policy refuses it
   * (`accepted: false`); `"drop-oldest"` evicts the oldest item and returns it as `evicted`.
   */
  push(item: T): PushResult<T> {
    if (this.#items.length < this.#maxSize) {
      this.#items.push(item);
      return { accepted: true };
    }
    if (this.#policy === OVERFLOW_POLICY.REJECT || this.#maxSize === 0) return { accepted: false };
    const evicted = this.#items.shift()!;
    this.#items.push(item);
    return { accepted: true, evicted };
  }

  /** Removes `item` if it is still queued; `true` when it was. */
  remove(item: T): boolean {
    const index = this.#items.indexOf(item);
    if (index === -1) return false;
    this.#items.splice(index, 1);
    return true;
  }

  /** Empties the queue and returns its items, oldest first. */
  drain(): T[] {
    const items = this.#items;
    this.#items = [];
    return items;
  }
}
