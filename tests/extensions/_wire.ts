import { perMessageDeflate, type PerMessageDeflateExtension } from "../../src/extensions/mod.ts";
import {
  type AssemblerEvent,
  createFrameDecoder,
  createMessageAssembler,
  parseExtensionHeader,
  RSV1,
} from "../../src/protocol/mod.ts";

/** A client-side permessage-deflate extension built from a server's answer header. */
export function clientExtension(
  response = "permessage-deflate",
  maxMessageSize?: number,
): PerMessageDeflateExtension {
  const offer = perMessageDeflate({ threshold: 0 });
  return offer.accepted(
    parseExtensionHeader(response)[0]!,
    maxMessageSize === undefined ? {} : { maxMessageSize },
  );
}

/** What a receiver made of some wire bytes: the messages and the first error, if any. */
export interface Received {
  events: AssemblerEvent[];
  error: unknown;
}

/**
 * Runs unmasked server frames through the client's pipeline: FrameDecoder (RSV1 allowed) →
 * extension → MessageAssembler, stopping at the first error, as a connection does.
 */
export function receive(
  extension: PerMessageDeflateExtension,
  wire: Uint8Array | readonly Uint8Array[],
  maxMessageSize?: number,
): Received {
  const decoder = createFrameDecoder({ role: "client", allowedRsv: RSV1 });
  const assembler = createMessageAssembler(maxMessageSize === undefined ? {} : { maxMessageSize });
  const events: AssemblerEvent[] = [];
  try {
    for (const chunk of wire instanceof Uint8Array ? [wire] : wire) {
      decoder.push(chunk, (frame) => {
        const event = assembler.push(extension.decode(frame));
        if (event !== undefined) events.push(event);
      });
    }
  } catch (error) {
    return { events, error };
  }
  return { events, error: undefined };
}
