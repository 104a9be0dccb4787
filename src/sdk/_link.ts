import type { WebSocketConnection } from "../connection/websocket_connection.ts";
import type { Codec } from "../messaging/codec.ts";
import type { ClientEnvelope } from "../messaging/envelope.ts";
import type { RpcError } from "../messaging/errors.ts";
import type { _ResolvedClientOptions } from "./client_options.ts";
import { STATE_REASON, type StateReason } from "./client_state.ts";

/** @internal Why a connection ended. */
export type _Loss = { reason: StateReason; code?: number };

/** @internal How one connection attempt ended. */
export type _Attempt =
  | { ok: true; conn: WebSocketConnection; lost: Promise<_Loss> }
  | { ok: false; error: unknown; forbidden?: boolean };

/** @internal What {@linkcode _Link} needs from the client. */
export interface _LinkHooks {
  /** Handles an envelope of the connection being read. */
  dispatch(conn: WebSocketConnection, envelope: Record<string, unknown>): void;
  /** Sends `connect` and waits for `welcome`; resolves with the error when the server refuses. */
  handshake(
    conn: WebSocketConnection,
    lost: Promise<_Loss>,
    signal: AbortSignal,
  ): Promise<RpcError | undefined>;
  /** The attempt failed (dialing, choosing the codec or in the handshake). */
  failed(): void;
  /** The attempt is over, whichever way. */
  settled(): void;
}

/**
 * @internal The client's WebSocket connections, one at a time: dials with a timeout and picks
 * the codec, reads the connection being attempted or served, writes envelopes, and notes when
 * the last one arrived.
 */
export class _Link {
  readonly #url: string;
  readonly #options: _ResolvedClientOptions;
  readonly #hooks: _LinkHooks;
  // The connection being read (attempt or established); only its envelopes are handled.
  #live: WebSocketConnection | undefined;
  // The established connection application traffic goes to.
  #conn: WebSocketConnection | undefined;
  #codec: Codec | undefined;
  #lose: ((loss: _Loss) => void) | undefined;
  #lastHeard = 0;
  #attempt: AbortController | undefined;

  constructor(url: string, options: _ResolvedClientOptions, hooks: _LinkHooks) {
    this.#url = url;
    this.#options = options;
    this.#hooks = hooks;
  }

  /** When the last envelope arrived (clock time). */
  get lastHeard(): number {
    return this.#lastHeard;
  }

  /** Dials, picks the codec and runs the handshake, within the connect timeout. */
  async connect(): Promise<_Attempt> {
    const { clock, codecs, connectTimeout, dial } = this.#options;
    const controller = this.#attempt = new AbortController();
    const { signal } = controller;
    const timer = clock.setTimeout(
      () =>
        controller.abort(new DOMException("Cannot connect: no welcome in time", "TimeoutError")),
      connectTimeout,
    );
    let conn: WebSocketConnection | undefined;
    try {
      const protocols = codecs.map((codec) => codec.protocol);
      conn = await _untilAborted(dial(this.#url, { protocols, signal }), signal);
      const codec = codecs.find((candidate) => candidate.protocol === conn!.info.protocol);
      if (codec === undefined) {
        throw new TypeError("Cannot connect: the server chose no aero.v1 subprotocol");
      }
      this.#codec = codec;
      const lost = this.#read(conn);
      const refused = await this.#hooks.handshake(conn, lost, signal);
      if (refused !== undefined) return { ok: false, error: refused, forbidden: true };
      return { ok: true, conn, lost };
    } catch (error) {
      conn?.close(1000);
      this.#live = undefined;
      this.#hooks.failed();
      return { ok: false, error };
    } finally {
      clock.clearTimeout(timer);
      this.#attempt = undefined;
      this.#hooks.settled();
    }
  }

  /** Makes `conn` the established connection application traffic goes to. */
  serve(conn: WebSocketConnection): void {
    this.#conn = conn;
  }

  /** Forgets the established connection once it is lost. */
  drop(): void {
    this.#conn = undefined;
    this.#live = undefined;
    this.#lose = undefined;
  }

  /** Ends the connection being read with `loss`. */
  lose(loss: _Loss): void {
    this.#lose?.(loss);
  }

  /** Aborts the connection attempt under way. */
  abort(reason: unknown): void {
    this.#attempt?.abort(reason);
  }

  /** Closes the established connection with 1000. */
  close(): void {
    this.#conn?.close(1000);
  }

  /** Writes `envelope` to `conn`; `false` when the connection refused it. */
  write(conn: WebSocketConnection, envelope: ClientEnvelope): boolean {
    return conn.send(this.#codec!.encode(envelope));
  }

  /** Writes `envelope` to `conn` if it is still the established connection. */
  reply(conn: WebSocketConnection, envelope: ClientEnvelope): void {
    if (conn === this.#conn) this.write(conn, envelope);
  }

  /** Writes `envelope` to the established connection; `false` without one. */
  send(envelope: ClientEnvelope): boolean {
    return this.#conn !== undefined && this.write(this.#conn, envelope);
  }

  // Reads one connection until it ends; resolves with why it ended.
  #read(conn: WebSocketConnection): Promise<_Loss> {
    return new Promise<_Loss>((resolve) => {
      let done = false;
      const finish = (loss: _Loss) => {
        if (done) return;
        done = true;
        resolve(loss);
      };
      this.#lose = finish;
      this.#live = conn;
      this.#lastHeard = this.#options.clock.now();
      (async () => {
        try {
          for await (const message of conn) {
            if (done) break;
            this.#lastHeard = this.#options.clock.now();
            let envelope: unknown;
            try {
              envelope = this.#codec!.decode(message.data);
            } catch {
              conn.close(1007, "bad_encoding");
              break;
            }
            if (typeof envelope === "object" && envelope !== null && conn === this.#live) {
              this.#hooks.dispatch(conn, envelope as Record<string, unknown>);
            }
          }
        } catch {
          // The connection failed; `closed` says how.
        }
        const info = await conn.closed;
        finish({ reason: STATE_REASON.CONNECTION_LOST, code: info.code });
      })();
    });
  }
}

// A dialer that ignores its signal must not hold the client up: a late connection is closed.
function _untilAborted(
  dialing: Promise<WebSocketConnection>,
  signal: AbortSignal,
): Promise<WebSocketConnection> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    dialing.then((conn) => {
      signal.removeEventListener("abort", onAbort);
      if (signal.aborted) conn.close(1000);
      else resolve(conn);
    }, (error) => {
      signal.removeEventListener("abort", onAbort);
      reject(error);
    });
  });
}
