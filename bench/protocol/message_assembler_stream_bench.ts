/**
 * Bytes → messages through a stream shell: `MessageDecoderStream` (decoder and assembler in one
 * `TransformStream`, as `ws`'s Receiver does both in one class) against `ws`'s Receiver wrapped in
 * one `TransformStream` (the baseline) and driven through its own Node `Writable.write()`.
 * `FrameDecoderStream` piped into `MessageAssemblerStream` is shown too: the same work plus a
 * stream hop per frame. Unmasked text frames (a client); messages end as strings on every side.
 * Each iteration writes one chunk and reads every message it holds, one read per message.
 */
import {
  FrameDecoderStream,
  type Message,
  MessageAssemblerStream,
  MessageDecoderStream,
  OPCODE,
} from "../../src/protocol/mod.ts";
import type { Buffer } from "node:buffer";
import {
  asBuffer,
  BATCH_FRAMES,
  BATCH_PAYLOAD,
  check,
  frameOf,
  mixedText,
  noop,
  SIZES,
  wire,
  wsReceiver,
} from "./_fixtures.ts";

function driver<I, O>(
  writable: WritableStream<I>,
  readable: ReadableStream<O>,
  size: (output: O) => number,
) {
  const writer = writable.getWriter();
  const reader = readable.getReader();
  return async (chunk: I, count: number): Promise<number> => {
    const written = writer.write(chunk);
    let chars = 0;
    for (let i = 0; i < count; i++) chars += size((await reader.read()).value!);
    await written;
    return chars;
  };
}

function aeroStream() {
  const stream = new MessageDecoderStream({ role: "client" });
  return driver(stream.writable, stream.readable, (event) => (event as Message).data.length);
}

function aeroPipeline() {
  const decode = new FrameDecoderStream({ role: "client" });
  const messages = decode.readable.pipeThrough(new MessageAssemblerStream());
  return driver(decode.writable, messages, (event) => (event as Message).data.length);
}

function wsPipeline() {
  let out!: TransformStreamDefaultController<string>;
  const receiver = wsReceiver(false, (data) => out.enqueue(data.toString()));
  const stream = new TransformStream<Buffer, string>({
    start(controller) {
      out = controller;
    },
    transform(chunk) {
      receiver._write(chunk, "buffer", noop);
    },
  });
  return driver(stream.writable, stream.readable, (text) => text.length);
}

/** Set-up iterations of both sides, so the JIT state of shared code does not favor either. */
const WARM_UP = 200;

async function cases(label: string, payload: Uint8Array, count: number): Promise<void> {
  const chunk = wire(Array.from({ length: count }, () => frameOf(OPCODE.TEXT, payload)), false);
  const buffer = asBuffer(chunk);
  const group = `assemble stream text ${label}`;
  const aero = aeroStream();
  const aeroStaged = aeroPipeline();
  const ws = wsPipeline();
  let writableChars = 0;
  const writable = wsReceiver(false, (data) => writableChars += data.toString().length);
  const expected = await aero(chunk, count);
  check(expected === (await ws(buffer, count)), `${group}: same text`);
  check(expected === (await aeroStaged(chunk, count)), `${group}: same text, two stages`);
  writable.write(buffer);
  check(expected === writableChars, `${group}: ws Writable text`);
  // All rows share the Web Streams code: warm it up for each before the first measurement.
  for (let i = 0; i < WARM_UP; i++) {
    await aero(chunk, count);
    await aeroStaged(chunk, count);
    await ws(buffer, count);
  }

  Deno.bench({
    name: "AeroSocket MessageDecoderStream",
    group,
    async fn() {
      await aero(chunk, count);
    },
  });
  Deno.bench({
    name: "AeroSocket FrameDecoderStream → MessageAssemblerStream",
    group,
    async fn() {
      await aeroStaged(chunk, count);
    },
  });
  Deno.bench({
    name: "ws Receiver in a TransformStream",
    group,
    baseline: true,
    async fn() {
      await ws(buffer, count);
    },
  });
  Deno.bench({
    name: "ws Receiver.write (Node Writable)",
    group,
    fn() {
      writable.write(buffer);
    },
  });
}

for (const [label, size] of SIZES) await cases(label, mixedText(size), 1);
await cases(
  `${BATCH_FRAMES} × ${BATCH_PAYLOAD} B in one chunk`,
  mixedText(BATCH_PAYLOAD),
  BATCH_FRAMES,
);
