import { _closeQuietly } from "./_raw_response.ts";

/**
 * @internal How long the oldest connection waiting for its request head must have waited before
 * a server at `max` waiting connections closes it to accept another (capped at the handshake
 * timeout). Legitimate clients send their head within a round trip, but in a burst the server
 * reads it late: on a 2-core machine, with 10,000 clients connecting at the same instant over
 * plain TCP (`wsload connect -c 10000 --inflight 10000`) against the default bound of 4,096, the
 * oldest at the bound had waited at most 250–275 ms per burst (5 runs) and none was closed (11
 * runs), where closing the oldest at once closed 11–18% of them. A second leaves a margin of about
 * 4, and at the bound a silent socket still gives its slot up after a second. With TLS the
 * handshake counts as waiting: see `docs/ENGINES.md`.
 */
export const _HANDSHAKE_EVICT_AFTER_MS = 1_000;

/** @internal A connection waiting for its request head, and when it runs out of time. */
export interface _HandshakeDeadline {
  readonly at: number;
  conn: { close(): void } | null;
}

/** @internal Options of {@linkcode _HandshakeDeadlines}. */
export interface _HandshakeDeadlinesOptions {
  /**
   * Most connections waiting at once (see {@linkcode _HandshakeDeadlines.room}).
   *
   * @default {Infinity}
   */
  max?: number;
  /**
   * How long the oldest waiting connection must have waited to be closed for room, in ms (capped
   * at the timeout).
   *
   * @default {_HANDSHAKE_EVICT_AFTER_MS}
   */
  evictAfter?: number;
  /** A monotonic clock in milliseconds (tests replace it). @default {performance.now} */
  now?: () => number;
  /**
   * Told of every connection closed here: its time ran out (`"timeout"`), or it was closed to
   * make room at `max` (`"evicted"`). @default {undefined}
   */
  onDrop?: (reason: _HandshakeDropReason) => void;
}

/** @internal Why a connection waiting for its request head was closed. */
export type _HandshakeDropReason = "timeout" | "evicted";

/**
 * @internal Closes connections whose request head has not arrived within a fixed timeout, with
 * one timer for all of them instead of one per connection (a `setTimeout` and `clearTimeout` pair
 * costs a few microseconds and a timer object per upgrade). Every deadline is the same span after
 * its connection was added, so they come due in the order they were added: a queue, whose head
 * advances past connections that finished in time. The timer stays armed while connections wait
 * and for one span after, and {@linkcode _HandshakeDeadlines.stop} clears it.
 *
 * At most `max` connections should wait at once: the accept loop asks {@linkcode room} before each
 * accept. At `max`, the oldest waiting one (the queue's head, which never rests on a finished
 * connection) is closed if it has waited `evictAfter` ms, as if its time had run out; a younger
 * one is more likely a client whose head the busy server has not read yet, so the loop waits
 * instead, and new connections queue in the kernel's listen backlog.
 */
export class _HandshakeDeadlines {
  readonly #timeout: number;
  readonly #max: number;
  // How long before its deadline a waiting connection may be closed for room.
  readonly #evictLead: number;
  readonly #now: () => number;
  readonly #onDrop: ((reason: _HandshakeDropReason) => void) | undefined;
  #queue: _HandshakeDeadline[] = [];
  #head = 0;
  #waiting = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  // While the accept loop waits for room: the wait, and the timer for the oldest's eviction.
  #room: PromiseWithResolvers<void> | undefined;
  #roomTimer: ReturnType<typeof setTimeout> | undefined;

  /** Closes connections `timeout` ms after they were added, unless they finished. */
  constructor(timeout: number, options: _HandshakeDeadlinesOptions = {}) {
    this.#timeout = timeout;
    this.#max = options.max ?? Infinity;
    this.#evictLead = timeout -
      Math.min(options.evictAfter ?? _HANDSHAKE_EVICT_AFTER_MS, timeout);
    this.#now = options.now ?? (() => performance.now());
    this.#onDrop = options.onDrop;
  }

  /** Connections still waiting for their head. */
  get waiting(): number {
    return this.#waiting;
  }

  /**
   * Whether another connection may be added: `undefined` when fewer than `max` wait, or once the
   * oldest of them, having waited `evictAfter` ms, has been closed. Otherwise a promise that
   * resolves when one finishes or is closed, when the oldest reaches `evictAfter`, or on
   * {@linkcode stop}: ask again then. Every caller gets the same promise until it resolves.
   */
  room(): Promise<void> | undefined {
    const oldest = this.#queue[this.#head];
    if (this.#waiting < this.#max || this.#stopped || oldest === undefined) return undefined;
    const evictAt = oldest.at - this.#evictLead;
    const now = this.#now();
    if (now >= evictAt) {
      this.#evictOldest();
      return undefined;
    }
    if (this.#room === undefined) {
      this.#room = Promise.withResolvers();
      this.#roomTimer = setTimeout(() => this.#openRoom(), Math.ceil(evictAt - now));
    }
    return this.#room.promise;
  }

  /** Starts `conn`'s deadline: it is closed unless {@linkcode done} is called in time. */
  add(conn: { close(): void }): _HandshakeDeadline {
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
    if (this.#room !== undefined && this.#waiting < this.#max) this.#openRoom();
    this.#advance();
  }

  /**
   * Clears the timers and ends a wait for room; connections still waiting are the caller's to
   * close.
   */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#openRoom();
  }

  #arm(delay: number): void {
    this.#timer = setTimeout(() => this.#expire(), Math.max(0, delay));
  }

  #expire(): void {
    this.#timer = undefined;
    const now = this.#now();
    const queue = this.#queue;
    while (this.#head < queue.length && queue[this.#head]!.at <= now) {
      this.#close(queue[this.#head++]!, "timeout");
    }
    this.#advance();
    // Armed again for the next connection due (`#advance` may have replaced the queue); with none
    // waiting, the queue is empty and the next `add` arms it.
    const next = this.#queue[this.#head];
    if (next !== undefined && !this.#stopped) this.#arm(next.at - now);
  }

  // Resolves the wait for room, if any: the accept loop asks again.
  #openRoom(): void {
    const room = this.#room;
    if (room === undefined) return;
    clearTimeout(this.#roomTimer);
    this.#roomTimer = undefined;
    this.#room = undefined;
    room.resolve();
  }

  // The head is the oldest waiting connection: `#advance` never leaves it on a finished one.
  #evictOldest(): void {
    const oldest = this.#queue[this.#head];
    if (oldest === undefined) return;
    this.#head++;
    this.#close(oldest, "evicted");
    this.#advance();
  }

  // Takes `deadline`'s connection out of the count before closing it (if it is still waiting).
  #close(deadline: _HandshakeDeadline, reason: _HandshakeDropReason): void {
    const conn = deadline.conn;
    if (conn === null) return;
    deadline.conn = null;
    this.#waiting--;
    if (this.#room !== undefined && this.#waiting < this.#max) this.#openRoom();
    _closeQuietly(conn);
    this.#onDrop?.(reason);
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
