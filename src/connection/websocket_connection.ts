import type { Message } from "../protocol/message.ts";
import type { CloseInfo, ConnectionInfo } from "./connection_options.ts";
import type { ReadyState } from "./ready_state.ts";

/**
 * The public surface every WebSocket connection has, whatever carries it: {@linkcode Connection}
 * (our own pipeline, used by the `streams` server engine and the client) and the adapter the
 * `native` server engine builds over Deno's `WebSocket`. Application code written against this
 * interface runs on every engine.
 *
 * @example Code written once for every engine
 * ```ts
 * import { Connection, type WebSocketConnection } from "@aero/socket";
 * import { createTransportPair } from "@aero/socket/testing";
 * import assert from "node:assert/strict";
 *
 * async function echo(conn: WebSocketConnection): Promise<void> {
 *   for await (const message of conn) conn.send(message.data);
 * }
 *
 * const [a, b] = createTransportPair();
 * const server: WebSocketConnection = new Connection(a, { role: "server" });
 * const client = new Connection(b, { role: "client" });
 * const done = echo(server);
 * client.send("hi");
 * const iterator = client[Symbol.asyncIterator]();
 * assert.deepEqual((await iterator.next()).value, { type: "text", data: "hi" });
 * client.close();
 * await Promise.all([done, client.closed, server.closed]);
 * ```
 */
export interface WebSocketConnection<Data = unknown>
  extends AsyncIterable<Message>, AsyncDisposable {
  /** Application data attached to this connection. */
  data: Data;
  /** Details of the connection: peer address, URL, headers, negotiated protocol. */
  readonly info: ConnectionInfo;
  /** The connection state (`READY_STATE`). */
  readonly readyState: ReadyState;
  /** Bytes accepted by `send` and not yet written. */
  readonly bufferedAmount: number;
  /** Messages discarded by the `"drop"` slow-consumer policy. */
  readonly droppedMessages: number;
  /** Resolves once the connection is closed, with the close code, reason and cleanliness. */
  readonly closed: Promise<CloseInfo>;
  /** The messages, as a pull-driven stream. Use either this or the async iterator, not both. */
  readonly readable: ReadableStream<Message>;
  /**
   * Sends a text (`string`) or binary message; `true` when it was accepted (it reaches the wire
   * before any later message and before a close frame).
   */
  send(data: string | Uint8Array | ArrayBuffer): boolean;
  /** Sends `JSON.stringify(value)` as a text message. */
  sendJson(value: unknown): boolean;
  /** Sends a ping; `false` when the connection is not open or cannot send pings. */
  ping(data?: string | Uint8Array): boolean;
  /** Starts the close handshake; calling it again has no effect. */
  close(code?: number, reason?: string): void;
  /** Resolves once `bufferedAmount` is at or below `threshold` bytes. */
  drained(threshold?: number): Promise<void>;
}
