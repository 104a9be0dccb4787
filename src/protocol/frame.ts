import type { Opcode } from "./opcode.ts";

/**
 * The RSV1 bit in {@linkcode Frame.rsv} (claimed by permessage-deflate). `RSV2` and `RSV3` are
 * the other two bits; a frame's `rsv` is their bitwise OR.
 *
 * @example Read the bits of a decoded frame
 * ```ts
 * import { createFrameDecoder, type Frame, RSV1, RSV2, RSV3 } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * // A text frame with RSV1 set, as permessage-deflate sends it, decoded by a client that
 * // negotiated an extension claiming RSV1.
 * const frames: Frame[] = [];
 * const decoder = createFrameDecoder({ role: "client", allowedRsv: RSV1 });
 * decoder.push(new Uint8Array([0xc1, 0x00]), (frame) => frames.push(frame));
 * assert.equal(frames[0]?.rsv, RSV1);
 * assert.equal(RSV1 | RSV2 | RSV3, 0b111);
 * ```
 */
export const RSV1 = 0b100;
/**
 * The RSV2 bit in {@linkcode Frame.rsv}.
 *
 * @example
 * ```ts
 * import { RSV2 } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(RSV2, 0b010);
 * ```
 */
export const RSV2 = 0b010;
/**
 * The RSV3 bit in {@linkcode Frame.rsv}.
 *
 * @example
 * ```ts
 * import { RSV3 } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(RSV3, 0b001);
 * ```
 */
export const RSV3 = 0b001;

/**
 * One WebSocket frame (RFC 6455 §5.2), unmasked.
 *
 * Frames produced by the decoder carry a `payload` that is a **view** over the decoder's input
 * chunk when the frame arrived whole in one chunk, and a **copy** owned by the frame when it
 * spanned chunks. Either way the payload is already unmasked. Copy it before keeping it past the
 * next read if the input buffer may be reused.
 *
 * @example Building a frame by hand
 * ```ts
 * import { type Frame, OPCODE } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const frame: Frame = { fin: true, rsv: 0, opcode: OPCODE.TEXT, payload: new Uint8Array([0x68, 0x69]) };
 * assert.equal(frame.payload.length, 2);
 * ```
 */
export interface Frame {
  /** Whether this is the final fragment of its message. */
  fin: boolean;
  /** The three reserved bits as a number: RSV1 = 0b100, RSV2 = 0b010, RSV3 = 0b001. */
  rsv: number;
  /** The frame's opcode. */
  opcode: Opcode;
  /** Application (or extension) data, unmasked. */
  payload: Uint8Array;
}
