import {
  type CloseInfo,
  type ConnectionInfo,
  type ConnectionOptions,
  resolveConnectionOptions,
  type ResolvedConnectionOptions,
} from "../connection/connection_options.ts";
import { _Inbox } from "../connection/_inbox.ts";
import { READY_STATE, type ReadyState } from "../connection/ready_state.ts";
import type { WebSocketConnection } from "../connection/websocket_connection.ts";
import { isValidCloseCode } from "../protocol/close_code.ts";
import type { Message } from "../protocol/message.ts";

const _encoder = new TextEncoder();
// How often `drained()` looks at `bufferedAmount`: the platform WebSocket has no drain event.
const _DRAIN_POLL_MS = 16;

/**
 * Options for a {@linkcode BrowserConnection}: the subset of {@linkcode ConnectionOptions} the
 * platform `WebSocket` can honour.
 *
 * @example
 * ```ts
 * import type { BrowserConnectionOptions } from "@aero/socket/client";
 * import assert from "node:assert/strict";
 *
 * const options: BrowserConnectionOptions<{ user: string }> = { data: { user: "ada" } };
 * assert.equal(options.data?.user, "ada");
 * ```
 */
export type BrowserConnectionOptions<Data = unknown> = Pick<
  ConnectionOptions<Data>,
  "data" | "closeTimeout" | "maxBufferedAmount" | "slowConsumer"
>;

/**
 * The client connection in a browser: adapts the platform `WebSocket` to
 * {@linkcode WebSocketConnection}, the interface {@linkcode Connection} implements — async iteration and a pull-driven `readable`, `send`, `sendJson`,
 * `close`, `closed`, `bufferedAmount`, `drained`, `readyState`, `info` and `data`.
 * {@linkcode connect} returns one where `Deno` is not defined.
 *
 * What the platform cannot do: `ping()` returns `false` (browsers ping on their own); received
 * messages are buffered by the browser, so reading applies no backpressure to the peer; close
 * codes other than 1000 and 3000–4999 cannot be sent and are sent as 1000; `info.headers` is
 * empty and `info.remoteAddress` undefined.
 *
 * @example Wrap a WebSocket (Deno has the platform class too)
 * ```ts
 * import { BrowserConnection } from "@aero/socket/client";
 * import assert from "node:assert/strict";
 *
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
 *   const { socket, response } = Deno.upgradeWebSocket(request);
 *   socket.onmessage = (event) => socket.send(event.data);
 *   return response;
 * });
 * const socket = new WebSocket(`ws://127.0.0.1:${server.addr.port}/`);
 * await new Promise((resolve) => socket.addEventListener("open", resolve, { once: true }));
 * const conn = new BrowserConnection(socket);
 * conn.send(new Uint8Array([1, 2, 3]));
 * for await (const message of conn) {
 *   assert.deepEqual(message, { type: "binary", data: new Uint8Array([1, 2, 3]) });
 *   break;
 * }
 * assert.equal(conn.ping(), false);
 * conn.close();
 * assert.equal((await conn.closed).wasClean, true);
 * await server.shutdown();
 * ```
 */
export class BrowserConnection<Data = unknown> implements WebSocketConnection<Data> {
  /** Application data attached to this connection. */
  data: Data;
  /** Details of the connection; `protocol` and `extensions` are filled in once it is open. */
  readonly info: ConnectionInfo;
  readonly #socket: WebSocket;
  readonly #options: ResolvedConnectionOptions;
  readonly #inbox = new _Inbox();
  #ended = false;
  #droppedMessages = 0;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;
  #closedResolve!: (info: CloseInfo) => void;
  #closed: Promise<CloseInfo>;

  /**
   * Adapts `socket` (open or still connecting). Set no other `onmessage`/`onclose` consumer:
   * this adapter takes the messages.
   *
   * @throws {TypeError | RangeError} for invalid options.
   */
  constructor(socket: WebSocket, options: BrowserConnectionOptions<Data> = {}) {
    this.#options = resolveConnectionOptions({ ...options, role: "client" });
    this.#socket = socket;
    this.data = options.data as Data;
    this.info = {
      remoteAddress: undefined,
      url: socket.url,
      headers: new Headers(),
      protocol: "",
      extensions: [],
      connectedAt: Date.now(),
    };
    this.#closed = new Promise((resolve) => (this.#closedResolve = resolve));
    socket.binaryType = "arraybuffer";
    if (socket.readyState === READY_STATE.OPEN) this.#onOpen();
    else socket.addEventListener("open", () => this.#onOpen(), { once: true });
    socket.addEventListener("message", this.#onMessage);
    socket.addEventListener("close", this.#onClose, { once: true });
  }

  /** The connection state ({@linkcode READY_STATE}), as the platform socket reports it. */
  get readyState(): ReadyState {
    return this.#ended ? READY_STATE.CLOSED : this.#socket.readyState as ReadyState;
  }

  /** Bytes accepted by {@linkcode send} that the browser has not yet sent. */
  get bufferedAmount(): number {
    return this.#socket.bufferedAmount;
  }

  /** Messages refused by the `"drop"` slow-consumer policy. */
  get droppedMessages(): number {
    return this.#droppedMessages;
  }

  /** Resolves once the connection is closed, with the close code, reason and cleanliness. */
  get closed(): Promise<CloseInfo> {
    return this.#closed;
  }

  /**
   * Sends a text (`string`) or binary message. Returns `false` when the connection is not open
   * or the slow-consumer policy applied (`"close"` then closes the connection with 1000 and
   * reason `"slow consumer"`, the codes a browser may send).
   */
  send(data: string | Uint8Array | ArrayBuffer): boolean {
    if (this.readyState !== READY_STATE.OPEN) return false;
    const size = typeof data === "string" ? data.length : data.byteLength;
    const { maxBufferedAmount, slowConsumer } = this.#options;
    if (this.#socket.bufferedAmount + size > maxBufferedAmount) {
      if (slowConsumer.policy === "drop") this.#droppedMessages++;
      else this.close(1000, "slow consumer");
      return false;
    }
    this.#socket.send(data as string | ArrayBufferView<ArrayBuffer> | ArrayBuffer);
    return true;
  }

  /** Sends `JSON.stringify(value)` as a text message; see {@linkcode send}. */
  sendJson(value: unknown): boolean {
    return this.send(JSON.stringify(value));
  }

  /** Browsers offer no API to send a ping: always returns `false`. */
  ping(_data?: string | Uint8Array): boolean {
    return false;
  }

  /**
   * Starts the close handshake. Codes the platform may not send (anything but 1000 and
   * 3000–4999) are sent as 1000. If the close does not complete within `closeTimeout`,
   * `closed` resolves with 1006. Calling it again has no effect.
   *
   * @throws {RangeError} for a code that may not be sent at all, or a reason over 123 bytes.
   */
  close(code = 1000, reason = ""): void {
    if (!isValidCloseCode(code)) throw new RangeError(`Cannot close: invalid close code ${code}`);
    if (_encoder.encode(reason).length > 123) {
      throw new RangeError("Cannot close: reason is over 123 bytes");
    }
    const state = this.readyState;
    if (state === READY_STATE.CLOSING || state === READY_STATE.CLOSED) return;
    this.#socket.close(code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000, reason);
    this.#closeTimer = setTimeout(
      () => this.#finish({ code: 1006, reason: "close timeout", wasClean: false }),
      this.#options.closeTimeout,
    );
  }

  /** Resolves once {@linkcode bufferedAmount} is at or below `threshold`, or on close. */
  async drained(threshold = 0): Promise<void> {
    while (this.#socket.bufferedAmount > threshold && this.readyState !== READY_STATE.CLOSED) {
      await new Promise((resolve) => setTimeout(resolve, _DRAIN_POLL_MS));
    }
  }

  /** The messages, as a pull-driven stream. Use either this or the async iterator, not both. */
  get readable(): ReadableStream<Message> {
    return this.#inbox.readable;
  }

  /** Iterates over messages until the connection closes. */
  [Symbol.asyncIterator](): AsyncIterator<Message> {
    return this.#inbox.iterator();
  }

  /** Closes (code 1000; 1001 cannot be sent by a browser) and waits until closed. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.#closed;
  }

  #onOpen(): void {
    this.info.protocol = this.#socket.protocol;
    this.info.extensions = this.#socket.extensions === ""
      ? []
      : this.#socket.extensions.split(",").map((part) => part.split(";")[0]!.trim());
    this.info.connectedAt = Date.now();
  }

  #onMessage = (event: MessageEvent): void => {
    if (this.#ended) return;
    const { data } = event;
    this.#inbox.push(
      typeof data === "string"
        ? { type: "text", data }
        : { type: "binary", data: new Uint8Array(data as ArrayBuffer) },
    );
  };

  #onClose = (event: CloseEvent): void => {
    this.#finish({ code: event.code, reason: event.reason, wasClean: event.wasClean });
  };

  #finish(info: CloseInfo): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#closeTimer);
    this.#socket.removeEventListener("message", this.#onMessage);
    this.#socket.removeEventListener("close", this.#onClose);
    this.#inbox.end();
    this.#closedResolve(info);
  }
}
