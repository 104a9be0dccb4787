/**
 * Round-trips a few messages through the protocol engine with no network: a client encodes and
 * masks them, the bytes arrive in awkward pieces, and the server side decodes and reassembles
 * them through Web Streams.
 *
 * Run: deno run examples/codec.ts
 *
 * @module
 */
import {
  encodeFrame,
  fragmentMessage,
  type Frame,
  FrameDecoderStream,
  MessageAssemblerStream,
  OPCODE,
} from "../src/protocol/mod.ts";

const encoder = new TextEncoder();
const frames: Frame[] = [
  { fin: true, rsv: 0, opcode: OPCODE.TEXT, payload: encoder.encode("Hello, AeroSocket") },
  ...fragmentMessage(OPCODE.TEXT, encoder.encode("fragmented κόσμε 🌍"), { fragmentSize: 5 }),
  { fin: true, rsv: 0, opcode: OPCODE.PING, payload: encoder.encode("are you there?") },
  { fin: true, rsv: 0, opcode: OPCODE.BINARY, payload: new Uint8Array([0xde, 0xad, 0xbe, 0xef]) },
  { fin: true, rsv: 0, opcode: OPCODE.CLOSE, payload: new Uint8Array([0x03, 0xe8]) },
];

// What a client puts on the wire: every frame masked with a fresh key.
const wire = new Uint8Array(
  frames.flatMap((frame) => [...encodeFrame(frame, { mask: true })]),
);
// A socket delivers bytes in arbitrary pieces; cut the stream into 7-byte chunks.
const chunks: Uint8Array[] = [];
for (let i = 0; i < wire.length; i += 7) chunks.push(wire.slice(i, i + 7));

const events = ReadableStream.from(chunks)
  .pipeThrough(new FrameDecoderStream({ role: "server" }))
  .pipeThrough(new MessageAssemblerStream());

console.log(`${wire.length} bytes on the wire in ${chunks.length} chunks`);
for await (const event of events) {
  switch (event.type) {
    case "text":
      console.log(`text message: ${JSON.stringify(event.data)}`);
      break;
    case "binary":
      console.log(`binary message: ${[...event.data].map((b) => b.toString(16)).join(" ")}`);
      break;
    case "ping":
      console.log(`ping: ${new TextDecoder().decode(event.data)} (reply: pong frame)`);
      break;
    case "pong":
      console.log("pong");
      break;
    case "close":
      console.log(`close: code ${event.code}`);
      break;
  }
}
