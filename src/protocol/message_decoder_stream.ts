import { PROTOCOL_ERROR_CODE, ProtocolError } from "./errors.ts";
import type { Frame } from "./frame.ts";
import { createFrameDecoder, type FrameDecoderOptions } from "./frame_decoder.ts";
import { createMessageAssembler, type MessageAssemblerOptions } from "./message_assembler.ts";
import type { AssemblerEvent } from "./message.ts";

/** Options for {@linkcode MessageDecoderStream}: those of the decoder and of the assembler. */
export type MessageDecoderStreamOptions = FrameDecoderOptions & MessageAssemblerOptions;

/**
 * Bytes → messages and control events in one `TransformStream`: {@linkcode createFrameDecoder}
 * feeding {@linkcode createMessageAssembler} directly. It produces what
 * `new FrameDecoderStream(options)` piped into `new MessageAssemblerStream(options)` produces,
 * without a stream hop per frame in between (the cost that dominates small messages).
 *
 * The stream owns the chunks written to it (`ownsInput` defaults to `true` for both stages):
 * masked payloads are unmasked in place, and a binary message that arrived as one frame in one
 * chunk is a view over that chunk. Pings and closes come out as events carrying their reply
 * frame; this stream writes nothing. Errors with a {@linkcode ProtocolError} on bad input, and
 * when the input ends inside a frame or a fragmented message.
 *
 * @example A text message in two fragments
 * ```ts
 * import { MessageDecoderStream } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * // "Hel" (TEXT, no FIN) then "lo" (CONTINUATION, FIN), as a server sends them.
 * const bytes = ReadableStream.from([
 *   new Uint8Array([0x01, 0x03, 0x48, 0x65, 0x6c, 0x80]),
 *   new Uint8Array([0x02, 0x6c, 0x6f]),
 * ]);
 * const events = await Array.fromAsync(bytes.pipeThrough(new MessageDecoderStream({ role: "client" })));
 * assert.deepEqual(events, [{ type: "text", data: "Hello" }]);
 * ```
 */
export class MessageDecoderStream extends TransformStream<Uint8Array, AssemblerEvent> {
  /** Creates a decoding stream; see {@linkcode MessageDecoderStreamOptions}. */
  constructor(options: MessageDecoderStreamOptions) {
    const decoder = createFrameDecoder({ ownsInput: true, ...options });
    const assembler = createMessageAssembler({ ownsInput: true, ...options });
    let onFrame: (frame: Frame) => void;
    super({
      start(controller) {
        onFrame = (frame) => {
          const event = assembler.push(frame);
          if (event !== undefined) controller.enqueue(event);
        };
      },
      transform(chunk) {
        decoder.push(chunk, onFrame);
      },
      flush() {
        decoder.end();
        if (assembler.inMessage) {
          throw new ProtocolError(
            PROTOCOL_ERROR_CODE.TRUNCATED_FRAME,
            "Cannot decode message: input ended inside a fragmented message",
          );
        }
      },
    });
  }
}
