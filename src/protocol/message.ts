import type { Frame } from "./frame.ts";

/**
 * A text message. `data` is the decoded, validated string.
 *
 * @example
 * ```ts
 * import type { TextMessage } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const message: TextMessage = { type: "text", data: "hi" };
 * assert.equal(message.data, "hi");
 * ```
 */
export interface TextMessage {
  /** Discriminant. */
  type: "text";
  /** The message text. */
  data: string;
}

/**
 * A binary message. `data` is a **view** over the decoder's input when the message arrived as one
 * frame in one chunk, and a **copy** owned by the message when it was fragmented or spanned
 * chunks.
 *
 * @example
 * ```ts
 * import type { BinaryMessage } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const message: BinaryMessage = { type: "binary", data: new Uint8Array([1]) };
 * assert.equal(message.data[0], 1);
 * ```
 */
export interface BinaryMessage {
  /** Discriminant. */
  type: "binary";
  /** The message bytes. */
  data: Uint8Array;
}

/** A complete data message. */
export type Message = TextMessage | BinaryMessage;

/**
 * A ping from the peer. `reply` is the pong frame (same payload) that the connection should send.
 * `data` is a view over the input.
 *
 * @example
 * ```ts
 * import type { PingEvent } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const data = new Uint8Array([1]);
 * const event: PingEvent = { type: "ping", data, reply: { fin: true, rsv: 0, opcode: 0xa, payload: data } };
 * assert.equal(event.reply.opcode, 0xa);
 * ```
 */
export interface PingEvent {
  /** Discriminant. */
  type: "ping";
  /** The ping payload (view). */
  data: Uint8Array;
  /** The pong to send back (RFC 6455 §5.5.3: same application data). */
  reply: Frame;
}

/**
 * A pong from the peer. `data` is a view over the input.
 *
 * @example
 * ```ts
 * import type { PongEvent } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const event: PongEvent = { type: "pong", data: new Uint8Array() };
 * assert.equal(event.data.length, 0);
 * ```
 */
export interface PongEvent {
  /** Discriminant. */
  type: "pong";
  /** The pong payload (view). */
  data: Uint8Array;
}

/**
 * The peer's close frame. `code` is 1005 when the frame had no status code. `reply` is the close
 * frame to answer with if we have not sent one yet (RFC 6455 §5.5.1: echo the status code).
 *
 * @example
 * ```ts
 * import type { CloseEvent } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const event: CloseEvent = {
 *   type: "close",
 *   code: 1005,
 *   reason: "",
 *   reply: { fin: true, rsv: 0, opcode: 0x8, payload: new Uint8Array() },
 * };
 * assert.equal(event.code, 1005);
 * ```
 */
export interface CloseEvent {
  /** Discriminant. */
  type: "close";
  /** The status code received, or 1005 when there was none. */
  code: number;
  /** The reason received (validated UTF-8). */
  reason: string;
  /** The close frame to reply with. */
  reply: Frame;
}

/** A control frame's meaning, as produced by the message assembler. */
export type ControlEvent = PingEvent | PongEvent | CloseEvent;

/** Everything the message assembler produces. */
export type AssemblerEvent = Message | ControlEvent;
