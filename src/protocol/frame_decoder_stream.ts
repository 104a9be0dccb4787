import type { Frame } from "./frame.ts";
import { createFrameDecoder, type FrameDecoderOptions } from "./frame_decoder.ts";

/**
 * Bytes → frames, as a `TransformStream` around {@linkcode createFrameDecoder}. The stream owns
 * the chunks written to it (`ownsInput` defaults to `true`): masked payloads are unmasked in place
 * and emitted as views. Errors with a {@linkcode ProtocolError} on bad input, and when the input
 * ends in the middle of a frame.
 *
 * @example
 * ```ts
 * import { FrameDecoderStream } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const bytes = ReadableStream.from([new Uint8Array([0x82, 0x02, 7]), new Uint8Array([8])]);
 * const frames = await Array.fromAsync(bytes.pipeThrough(new FrameDecoderStream({ role: "client" })));
 * assert.deepEqual([...frames[0]!.payload], [7, 8]);
 * ```
 */
export class FrameDecoderStream extends TransformStream<Uint8Array, Frame> {
  /** Creates a decoding stream; see {@linkcode FrameDecoderOptions}. */
  constructor(options: FrameDecoderOptions) {
    const decoder = createFrameDecoder({ ownsInput: true, ...options });
    // One callback for the stream's life, not one per chunk.
    let onFrame: (frame: Frame) => void;
    super({
      start(controller) {
        onFrame = (frame) => controller.enqueue(frame);
      },
      transform(chunk) {
        decoder.push(chunk, onFrame);
      },
      flush() {
        decoder.end();
      },
    });
  }
}
