import type { WebSocketConnection } from "../connection/websocket_connection.ts";
import { CLOSE_CODE } from "../protocol/close_code.ts";

/**
 * @internal The live WebSocket connections of one server, with a reservation count so that
 * `maxConnections` holds while handshakes are still being decided.
 */
export class _Registry<Data> {
  readonly #max: number;
  readonly #handler: (conn: WebSocketConnection<Data>) => void | Promise<void>;
  readonly #live = new Map<WebSocketConnection<Data>, () => void>();
  #reserved = 0;
  #closing = false;

  constructor(
    max: number,
    handler: (conn: WebSocketConnection<Data>) => void | Promise<void>,
  ) {
    this.#max = max;
    this.#handler = handler;
  }

  /** Live connections. */
  get size(): number {
    return this.#live.size;
  }

  /** Takes a slot for a handshake in progress; `false` when the server is full or closing. */
  reserve(): boolean {
    if (this.#closing || this.#live.size + this.#reserved >= this.#max) return false;
    this.#reserved++;
    return true;
  }

  /** Gives back a slot whose handshake was refused. */
  release(): void {
    this.#reserved--;
  }

  /**
   * Turns a reservation into a live connection and runs the application's handler on it.
   * `abort` tears the transport down at once. A handler that throws closes its connection
   * with 1011.
   */
  add(conn: WebSocketConnection<Data>, abort: () => void): void {
    this.#reserved--;
    this.#live.set(conn, abort);
    conn.closed.then(() => this.#live.delete(conn));
    if (this.#closing) conn.close(CLOSE_CODE.GOING_AWAY, "server shutting down");
    // Not an async wrapper: a suspended one would be held by every connection for its lifetime.
    const failed = () => conn.close(CLOSE_CODE.INTERNAL_ERROR, "handler failed");
    try {
      const result = this.#handler(conn);
      if (result !== undefined) Promise.resolve(result).catch(failed);
    } catch {
      failed();
    }
  }

  /**
   * Graceful close of every connection: 1001 Going Away after everything already sent, then
   * waits for the close replies up to `timeout` ms and aborts the rest.
   */
  async closeAll(timeout: number): Promise<void> {
    this.#closing = true;
    const end = Date.now() + timeout;
    for (const conn of this.#live.keys()) conn.close(CLOSE_CODE.GOING_AWAY, "server shutting down");
    // Loops because handshakes decided before shutdown began may still add connections.
    while (this.#live.size > 0) {
      const pending = Promise.all([...this.#live.keys()].map((conn) => conn.closed));
      const remaining = end - Date.now();
      if (remaining <= 0) {
        for (const abort of this.#live.values()) abort();
        await pending;
        continue;
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, remaining)));
      await Promise.race([pending, deadline]);
      clearTimeout(timer);
    }
  }
}
