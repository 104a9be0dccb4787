import type { ExtensionOffer, Frame } from "../protocol/mod.ts";

// Re-exported so that this entry point documents itself without the protocol one.
export { type ExtensionOffer, type Frame, OPCODE, type Opcode } from "../protocol/mod.ts";

/**
 * Limits an extension enforces while it transforms a connection's data. The connection passes
 * its own limits so that, for example, inflated bytes count against the same `maxMessageSize` as
 * uncompressed ones.
 *
 * @example
 * ```ts
 * import type { ExtensionLimits } from "@aero/socket/extensions";
 * import assert from "node:assert/strict";
 *
 * const limits: ExtensionLimits = { maxMessageSize: 1024 };
 * assert.equal(limits.maxMessageSize, 1024);
 * ```
 */
export interface ExtensionLimits {
  /**
   * Largest message after decoding (inflating), in bytes. Exceeding it while decoding fails with
   * close code 1009 before the excess is allocated.
   *
   * @default {DEFAULT_LIMITS.maxMessageSize}
   */
  maxMessageSize?: number;
}

/**
 * The per-connection, stateful half of a negotiated extension. It runs on the hot path between
 * the frame codec and the message layer, synchronously, except that an outgoing message may be
 * encoded elsewhere through the optional `encodeLater`.
 *
 * Inbound, `decode` sits between the `FrameDecoder` and the `MessageAssembler` and must be called
 * with **every** frame the decoder emits, in order, control frames included: control frames pass
 * through unchanged, but the extension checks that they do not carry its RSV bits. Outbound,
 * `encode` transforms a whole message before it is fragmented; the returned `rsv` bits go on the
 * first frame only. When several extensions are negotiated, `decode` runs them in reverse
 * negotiation order and `encode` in negotiation order (RFC 6455 §9.1).
 *
 * @example A pass-through extension that claims no bits
 * ```ts
 * import type { Extension } from "@aero/socket/extensions";
 * import { OPCODE } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const identity: Extension = {
 *   name: "x-identity",
 *   rsv: 0,
 *   decode: (frame) => frame,
 *   encode: (_opcode, payload) => ({ payload, rsv: 0 }),
 *   close() {},
 * };
 * const frame = { fin: true, rsv: 0, opcode: OPCODE.TEXT, payload: new Uint8Array([0x68]) };
 * assert.equal(identity.decode(frame), frame);
 * ```
 */
export interface Extension {
  /** The extension's registered name, e.g. `"permessage-deflate"`. */
  readonly name: string;
  /**
   * The RSV bits the extension claims (RSV1 = 0b100). The frame decoder's `allowedRsv` is the OR
   * of every negotiated extension's bits.
   */
  readonly rsv: number;
  /**
   * Transforms one received frame and returns the frame to hand on (for permessage-deflate: the
   * payload inflated and RSV1 cleared). The returned payload is a copy owned by the frame when
   * the extension changed it, and the input frame itself otherwise.
   *
   * @throws {ProtocolError} with the close code to fail the connection with; the extension must
   * not be used afterwards.
   */
  decode(frame: Frame): Frame;
  /**
   * Transforms one whole outgoing data message, returning the payload to send and the RSV bits
   * to set on its first frame.
   */
  encode(opcode: 1 | 2, payload: Uint8Array): { payload: Uint8Array; rsv: number };
  /**
   * Optional. Starts encoding one whole outgoing data message off the connection's thread (for
   * permessage-deflate: a large message, on a worker), or returns `undefined` to have
   * {@linkcode encode} encode it now. The connection keeps the message's place meanwhile:
   * nothing sent after it reaches the wire before it, and it counts towards `bufferedAmount`.
   *
   * `payload` may be reused by the caller once this returns, so an extension that needs it later
   * copies it. The resolved payload must be a buffer of the message's own, never modified
   * afterwards. A rejection fails the connection with close code 1011.
   */
  encodeLater?(
    opcode: 1 | 2,
    payload: Uint8Array,
  ): Promise<{ payload: Uint8Array; rsv: number }> | undefined;
  /** Releases native resources (zlib streams) and any shared budget. Safe to call twice. */
  close(): void;
}

/**
 * A configured extension (one per server or client) that negotiates and creates per-connection
 * {@linkcode Extension}s. Negotiation follows RFC 6455 §9.1: the client offers, the server
 * accepts at most one offer per extension, and the client checks the answer.
 *
 * @example A factory for an extension that needs no parameters
 * ```ts
 * import type { Extension, ExtensionFactory } from "@aero/socket/extensions";
 * import assert from "node:assert/strict";
 *
 * const extension: Extension = {
 *   name: "x-noop",
 *   rsv: 0,
 *   decode: (frame) => frame,
 *   encode: (_opcode, payload) => ({ payload, rsv: 0 }),
 *   close() {},
 * };
 * const noop: ExtensionFactory = {
 *   name: "x-noop",
 *   rsv: 0,
 *   accept: (offers) => offers.length > 0 ? { response: { name: "x-noop", params: [] }, extension } : null,
 *   offer: () => [{ name: "x-noop", params: [] }],
 *   accepted: () => extension,
 * };
 * assert.equal(noop.accept(noop.offer())?.extension, extension);
 * ```
 */
export interface ExtensionFactory {
  /** The extension name it negotiates (compared case-insensitively). */
  readonly name: string;
  /** The RSV bits its extensions claim; two factories claiming the same bit cannot both be used. */
  readonly rsv: number;
  /**
   * Server side: given every offer with this extension's name, in the client's order of
   * preference, accepts at most one. Returns the parameters to answer with and the
   * per-connection extension, or `null` to decline them all. Invalid offers are declined.
   *
   * @throws {HandshakeError} only where the extension's specification requires failing the
   * handshake.
   */
  accept(
    offers: readonly ExtensionOffer[],
    limits?: ExtensionLimits,
  ): { response: ExtensionOffer; extension: Extension } | null;
  /** Client side: the offers to send, in order of preference. */
  offer(): ExtensionOffer[];
  /**
   * Client side: builds the extension from the server's answer to {@linkcode offer}.
   *
   * @throws {HandshakeError} when the answer is invalid or is not something that was offered;
   * the client must then fail the connection.
   */
  accepted(response: ExtensionOffer, limits?: ExtensionLimits): Extension;
}
