import { _closeQuietly } from "./_raw_response.ts";

/** @internal A connection waiting for its request head, and when it runs out of time. */
export interface _HandshakeDeadline {
  readonly at: number;
  conn: { close(): void } | null;
}

/**
 * @internal Closes connections whose request head has not arrived within a fixed timeout, with
 * one timer for all of them instead of one per connection (a `setTimeout` and `clearTimeout` pair
 * costs a few microseconds and a timer object per upgrade). Every deadline is the same span after
 * its connection was added, so they come due in the order they were added: a queue, whose head
 * advances past connections that finished in time. The timer stays armed while connections wait
 * and for one span after, and {@linkcode _HandshakeDeadlines.stop} clears it.
 */
export class _HandshakeDeadlines {
  readonly #timeout: number;
  readonly #now: () => number;
  #queue: _HandshakeDeadline[] = [];
  #head = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  /** `now` is a monotonic clock in milliseconds (tests replace it). */
  constructor(timeout: number, now: () => number = () => performance.now()) {
    this.#timeout = timeout;
    this.#now = now;
  }

  /** Connections still waiting for their head (for tests and diagnostics). */
  get waiting(): number {
    let n = 0;
    for (let i = this.#head; i < this.#queue.length; i++) if (this.#queue[i]!.conn !== null) n++;
    return n;
  }

  /** Starts `conn`'s deadline: it is closed unless {@linkcode done} is called in time. */
  add(conn: { close(): void }): _HandshakeDeadline {
    const deadline: _HandshakeDeadline = { at: this.#now() + this.#timeout, conn };
    this.#queue.push(deadline);
    if (this.#timer === undefined && !this.#stopped) this.#arm(this.#timeout);
    return deadline;
  }

  /** `deadline`'s connection finished in time (or was closed otherwise). Calling it again is harmless. */
  done(deadline: _HandshakeDeadline): void {
    deadline.conn = null;
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
      const deadline = queue[this.#head++]!;
      const conn = deadline.conn;
      deadline.conn = null;
      if (conn !== null) _closeQuietly(conn);
    }
    this.#advance();
    // Armed again for the next connection due (`#advance` may have replaced the queue); with none
    // waiting, the queue is empty and the next `add` arms it.
    const next = this.#queue[this.#head];
    if (next !== undefined && !this.#stopped) this.#arm(next.at - now);
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
