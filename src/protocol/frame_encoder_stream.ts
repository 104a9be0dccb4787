import type { Frame } from "./frame.ts";
import { encodeFrame, type EncodeFrameOptions } from "./frame_encoder.ts";

/**
 * Frames → bytes, as a `TransformStream` around {@linkcode encodeFrame}. With `mask: true` (the
 * client side) every frame gets a fresh random key.
 *
 * @example
 * ```ts
 * import { FrameEncoderStream, OPCODE } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const frames = ReadableStream.from([{ fin: true, rsv: 0, opcode: OPCODE.PING, payload: new Uint8Array() }]);
 * const [bytes] = await Array.fromAsync(frames.pipeThrough(new FrameEncoderStream()));
 * assert.deepEqual([...bytes!], [0x89, 0x00]);
 * ```
 */
export class FrameEncoderStream extends TransformStream<Frame, Uint8Array> {
  /** Creates an encoding stream; see {@linkcode EncodeFrameOptions}. */
  constructor(options: EncodeFrameOptions = {}) {
    super({
      transform(frame, controller) {
        controller.enqueue(encodeFrame(frame, options));
      },
    });
  }
}
