import { _closeQuietly } from "./_raw_response.ts";

/** What `_Acceptor` needs of a listener. */
export interface _AcceptSource<C> {
  accept(): Promise<C>;
}

/** @internal Options of {@linkcode _Acceptor}. */
export interface _AcceptorOptions {
  /**
   * Asked before each accept: `undefined` to accept now, or a promise to wait for first (and then
   * ask again). @default {() => undefined}
   */
  room?: () => Promise<void> | undefined;
  /** Pauses for `ms` or until `signal` aborts, whichever is first (tests replace it). */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Pause after the first failed accept that is not about one connection, in ms. */
export const _ACCEPT_PAUSE_MIN_MS = 5;
/** Longest pause between retries of a failing accept, in ms. */
export const _ACCEPT_PAUSE_MAX_MS = 1_000;

/**
 * @internal Accepts connections from a listener until stopped, handing each to `handle`.
 *
 * A failed accept does not end the loop: a peer that resets its connection before it is accepted
 * makes `accept` throw (`NotConnected`), and one such peer must not stop a server from accepting
 * anyone else. Such failures are followed by the next accept at once. Failures that are not
 * about one connection, such as running out of file descriptors, are retried after a pause that
 * doubles from {@linkcode _ACCEPT_PAUSE_MIN_MS} up to {@linkcode _ACCEPT_PAUSE_MAX_MS} (not in a
 * busy loop), and the pause starts over after a connection is accepted.
 *
 * Before each accept, `room` may hold the loop back while the server has all the connections it
 * will take in hand: those arriving meanwhile wait in the kernel's listen backlog. The loop ends
 * when {@linkcode _Acceptor.stop} is called (which also ends a pause or a wait for room at once)
 * or when the listener is closed.
 */
export class _Acceptor<C extends { close(): void }> {
  /** Resolves once the loop has ended. */
  readonly done: Promise<void>;
  readonly #source: _AcceptSource<C>;
  readonly #handle: (conn: C) => void;
  readonly #room: (() => Promise<void> | undefined) | undefined;
  readonly #wait: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly #stop = new AbortController();

  /** Accepts from `source` and hands each connection to `handle`. */
  constructor(
    source: _AcceptSource<C>,
    handle: (conn: C) => void,
    options: _AcceptorOptions = {},
  ) {
    this.#source = source;
    this.#handle = handle;
    this.#room = options.room;
    this.#wait = options.wait ?? _wait;
    this.done = this.#run();
  }

  /** Ends the loop, and a pause or a wait for room at once: nothing is handed on after this. */
  stop(): void {
    this.#stop.abort();
  }

  async #run(): Promise<void> {
    const stopped = this.#stop.signal;
    let pause = 0;
    while (!stopped.aborted) {
      // No promise is made while there is room.
      const room = this.#room?.();
      if (room !== undefined) {
        await _untilAborted(room, stopped);
        continue;
      }
      let conn: C;
      try {
        conn = await this.#source.accept();
      } catch (error) {
        if (stopped.aborted || error instanceof Deno.errors.BadResource) return;
        if (_aboutOneConnection(error)) continue;
        pause = Math.min(Math.max(pause * 2, _ACCEPT_PAUSE_MIN_MS), _ACCEPT_PAUSE_MAX_MS);
        await this.#wait(pause, stopped);
        continue;
      }
      if (stopped.aborted) {
        _closeQuietly(conn);
        return;
      }
      pause = 0;
      this.#handle(conn);
    }
  }
}

function _wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}

// Waits for `promise` (fulfilled or rejected) or until `signal` aborts, whichever is first. The
// listener is removed again: a long-lived signal must not collect one per wait.
function _untilAborted(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      signal.removeEventListener("abort", done);
      resolve();
    };
    signal.addEventListener("abort", done);
    promise.then(done, done);
  });
}

// Whether an accept failed because of the one connection it was accepting: reset or aborted by
// the peer before it was accepted.
function _aboutOneConnection(error: unknown): boolean {
  return error instanceof Deno.errors.NotConnected ||
    error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.ConnectionAborted;
}
