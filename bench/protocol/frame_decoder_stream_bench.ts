/**
 * Bytes → frames through the stream shell, `FrameDecoderStream`: the cost of the Web Streams hop
 * on top of the core. References: `ws`'s Receiver wrapped in the same `TransformStream` shape
 * (the baseline: identical stream machinery, so the ratio isolates the codec), and `ws`'s Receiver
 * driven through its own Node `Writable.write()` with synchronous `'message'` events.
 *
 * Each iteration writes one chunk and reads every frame it holds. Masked binary frames (a server
 * reading client frames); both sides unmask in place.
 */
import { type Frame, FrameDecoderStream, OPCODE } from "../../src/protocol/mod.ts";
import type { Buffer } from "node:buffer";
import {
  asBuffer,
  BATCH_FRAMES,
  BATCH_PAYLOAD,
  binaryPayload,
  check,
  frameOf,
  noop,
  SIZES,
  wire,
  wsReceiver,
} from "./_fixtures.ts";

/** A long-lived stream driven one chunk at a time: write, then read `count` outputs. */
function driver<I, O>(stream: TransformStream<I, O>) {
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  return async (chunk: I, count: number): Promise<number> => {
    const written = writer.write(chunk);
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      const { value } = await reader.read();
      bytes += (value as { payload?: Uint8Array; length?: number }).payload?.length ??
        (value as { length: number }).length;
    }
    await written;
    return bytes;
  };
}

/** `ws`'s Receiver as a bytes → payloads `TransformStream`. */
function wsReceiverStream(isServer: boolean): TransformStream<Buffer, Buffer> {
  let out!: TransformStreamDefaultController<Buffer>;
  const receiver = wsReceiver(isServer, (data) => out.enqueue(data));
  return new TransformStream({
    start(controller) {
      out = controller;
    },
    transform(chunk) {
      receiver._write(chunk, "buffer", noop);
    },
  });
}

/** Set-up iterations of both sides, so the JIT state of shared code does not favor either. */
const WARM_UP = 200;

async function cases(label: string, frames: Frame[]): Promise<void> {
  const chunk = wire(frames, true);
  const buffer = asBuffer(chunk);
  const count = frames.length;
  const total = frames.reduce((n, f) => n + f.payload.length, 0);
  const group = `decode stream masked ${label}`;

  const aero = driver(new FrameDecoderStream({ role: "server" }));
  const ws = driver(wsReceiverStream(true));
  let writableBytes = 0;
  const writable = wsReceiver(true, (data) => writableBytes += data.length);

  check((await aero(chunk, count)) === total, `${group}: AeroSocket output`);
  check((await ws(buffer, count)) === total, `${group}: ws output`);
  writable.write(buffer);
  check(writableBytes === total, `${group}: ws Writable output`);
  // Both sides share the Web Streams code: warm it up for both before the first measurement.
  for (let i = 0; i < WARM_UP; i++) {
    await aero(chunk, count);
    await ws(buffer, count);
  }

  Deno.bench({
    name: "AeroSocket FrameDecoderStream",
    group,
    async fn() {
      await aero(chunk, count);
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

for (const [label, size] of SIZES) {
  await cases(label, [frameOf(OPCODE.BINARY, binaryPayload(size))]);
}
await cases(
  `${BATCH_FRAMES} × ${BATCH_PAYLOAD} B in one chunk`,
  Array.from(
    { length: BATCH_FRAMES },
    (_, i) => frameOf(OPCODE.BINARY, binaryPayload(BATCH_PAYLOAD, i + 1)),
  ),
);
