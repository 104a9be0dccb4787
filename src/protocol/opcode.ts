/**
 * WebSocket frame opcodes (RFC 6455 §5.2, §11.8).
 *
 * @example Telling control frames from data frames
 * ```ts
 * import { isControlOpcode, OPCODE } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isControlOpcode(OPCODE.PING), true);
 * assert.equal(isControlOpcode(OPCODE.TEXT), false);
 * ```
 */
export const OPCODE = {
  /** A continuation frame of a fragmented message. */
  CONTINUATION: 0x0,
  /** The first (or only) frame of a text message. */
  TEXT: 0x1,
  /** The first (or only) frame of a binary message. */
  BINARY: 0x2,
  /** Close control frame. */
  CLOSE: 0x8,
  /** Ping control frame. */
  PING: 0x9,
  /** Pong control frame. */
  PONG: 0xa,
} as const;

/** One of the opcodes defined by RFC 6455. */
export type Opcode = typeof OPCODE[keyof typeof OPCODE];

/**
 * Whether `opcode` is a control opcode (close, ping, pong). RFC 6455 §5.5: control opcodes have
 * the most significant bit of the 4-bit opcode set.
 *
 * @example
 * ```ts
 * import { isControlOpcode } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isControlOpcode(0x8), true);
 * assert.equal(isControlOpcode(0x2), false);
 * ```
 */
export function isControlOpcode(opcode: number): boolean {
  return (opcode & 0x8) !== 0;
}

/**
 * Whether `opcode` is one of the six opcodes RFC 6455 defines; the other ten values are reserved
 * (§5.2) and a frame carrying one fails the connection.
 *
 * @example
 * ```ts
 * import { isKnownOpcode } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isKnownOpcode(0x1), true);
 * assert.equal(isKnownOpcode(0x3), false);
 * ```
 */
export function isKnownOpcode(opcode: number): opcode is Opcode {
  return opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xa);
}
