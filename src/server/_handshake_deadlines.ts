import { _closeQuietly } from "./_raw_response.ts";

/** @internal A connection waiting for its request head, and when it runs out of time. */
export interface _HandshakeDeadline {
  readonly at: number;
  conn: { close(): void } | null;
}

/** @internal Options of {@linkcode _HandshakeDeadlines}. */
export interface _HandshakeDeadlinesOptions {
  /** Most connections waiting at once; adding one more closes the oldest. @default {Infinity} */
  max?: number;
  /** A monotonic clock in milliseconds (tests replace it). @default {performance.now} */
  now?: () => number;
}

/**
 * @internal Closes connections whose request head has not arrived within a fixed timeout, with
 * one timer for all of them instead of one per connection (a `setTimeout` and `clearTimeout` pair
 * costs a few microseconds and a timer object per upgrade). Every deadline is the same span after
 * its connection was added, so they come due in the order they were added: a queue, whose head
 * advances past connections that finished in time. The timer stays armed while connections wait
 * and for one span after, and {@linkcode _HandshakeDeadlines.stop} clears it.
 *
 * At most `max` connections wait at once: adding one more closes the oldest waiting one, which is
 * the queue's head (the head never rests on a finished connection), as if its time had run out.
 */
export class _HandshakeDeadlines {
  readonly #timeout: number;
  readonly #max: number;
  readonly #now: () => number;
  #queue: _HandshakeDeadline[] = [];
  #head = 0;
  #waiting = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  /** Closes connections `timeout` ms after they were added, unless they finished. */
  constructor(timeout: number, options: _HandshakeDeadlinesOptions = {}) {
    this.#timeout = timeout;
    this.#max = options.max ?? Infinity;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Connections still waiting for their head. */
  get waiting(): number {
    return this.#waiting;
  }

  /**
   * Starts `conn`'s deadline: it is closed unless {@linkcode done} is called in time. With `max`
   * connections waiting already, the oldest of them is closed first.
   */
  add(conn: { close(): void }): _HandshakeDeadline {
    if (this.#waiting >= this.#max) this.#evictOldest();
    const deadline: _HandshakeDeadline = { at: this.#now() + this.#timeout, conn };
    this.#queue.push(deadline);
    this.#waiting++;
    if (this.#timer === undefined && !this.#stopped) this.#arm(this.#timeout);
    return deadline;
  }

  /** `deadline`'s connection finished in time (or was closed otherwise). Calling it again is harmless. */
  done(deadline: _HandshakeDeadline): void {
    if (deadline.conn === null) return;
    deadline.conn = null;
    this.#waiting--;
    this.#advance();
  }

  /** Clears the timer; connections still waiting are the caller's to close. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(delay: number): void {
    this.#timer = setTimeout(() => this.#expire(), Math.max(0, delay));
  }

  #expire(): void {
    this.#timer = undefined;
    const now = this.#now();
    const queue = this.#queue;
    while (this.#head < queue.length && queue[this.#head]!.at <= now) {
      this.#close(queue[this.#head++]!);
    }
    this.#advance();
    // Armed again for the next connection due (`#advance` may have replaced the queue); with none
    // waiting, the queue is empty and the next `add` arms it.
    const next = this.#queue[this.#head];
    if (next !== undefined && !this.#stopped) this.#arm(next.at - now);
  }

  // The head is the oldest waiting connection: `#advance` never leaves it on a finished one.
  #evictOldest(): void {
    const oldest = this.#queue[this.#head];
    if (oldest === undefined) return;
    this.#head++;
    this.#close(oldest);
    this.#advance();
  }

  // Takes `deadline`'s connection out of the count before closing it (if it is still waiting).
  #close(deadline: _HandshakeDeadline): void {
    const conn = deadline.conn;
    if (conn === null) return;
    deadline.conn = null;
    this.#waiting--;
    _closeQuietly(conn);
  }

  // Drops finished connections from the head; empties or compacts the queue now and then.
  #advance(): void {
    const queue = this.#queue;
    while (this.#head < queue.length && queue[this.#head]!.conn === null) this.#head++;
    if (this.#head === queue.length) {
      queue.length = 0;
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= queue.length) {
      this.#queue = queue.slice(this.#head);
      this.#head = 0;
    }
  }
}
