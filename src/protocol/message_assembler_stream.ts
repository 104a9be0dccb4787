import type { Frame } from "./frame.ts";
import type { AssemblerEvent } from "./message.ts";
import { createMessageAssembler, type MessageAssemblerOptions } from "./message_assembler.ts";
import { PROTOCOL_ERROR_CODE, ProtocolError } from "./errors.ts";

/**
 * Frames → messages and control events, as a `TransformStream` around
 * {@linkcode createMessageAssembler}. Pings and closes come out as events carrying their reply
 * frame; this stream writes nothing. The stream owns the frames written to it (`ownsInput`
 * defaults to `true`): the fragments of a binary message are kept as given and joined with one
 * copy when the message completes. Errors with a {@linkcode ProtocolError} on bad input, and
 * when the frames end inside a fragmented message.
 *
 * @example
 * ```ts
 * import { MessageAssemblerStream, OPCODE } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const payload = new TextEncoder().encode("hi");
 * const frames = ReadableStream.from([{ fin: true, rsv: 0, opcode: OPCODE.TEXT, payload }]);
 * const events = await Array.fromAsync(frames.pipeThrough(new MessageAssemblerStream()));
 * assert.deepEqual(events, [{ type: "text", data: "hi" }]);
 * ```
 */
export class MessageAssemblerStream extends TransformStream<Frame, AssemblerEvent> {
  /** Creates an assembling stream; see {@linkcode MessageAssemblerOptions}. */
  constructor(options: MessageAssemblerOptions = {}) {
    const assembler = createMessageAssembler({ ownsInput: true, ...options });
    super({
      transform(frame, controller) {
        const event = assembler.push(frame);
        if (event !== undefined) controller.enqueue(event);
      },
      flush() {
        if (assembler.inMessage) {
          throw new ProtocolError(
            PROTOCOL_ERROR_CODE.TRUNCATED_FRAME,
            "Cannot assemble message: input ended inside a fragmented message",
          );
        }
      },
    });
  }
}
