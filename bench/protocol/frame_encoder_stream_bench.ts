/**
 * Frames → bytes through the stream shell, `FrameEncoderStream`, against `ws`'s `Sender.frame()`
 * wrapped in the same `TransformStream` shape (the baseline), both emitting one contiguous buffer
 * per frame. Unmasked binary frames (a server sending). Each iteration writes one frame and reads
 * its bytes.
 */
import { type Frame, FrameEncoderStream, OPCODE } from "../../src/protocol/mod.ts";
import { Buffer } from "node:buffer";
import {
  asBuffer,
  binaryPayload,
  check,
  frameOf,
  SIZES,
  wsFrame,
  type WsFrameOptions,
} from "./_fixtures.ts";

const UNMASKED: WsFrameOptions = { fin: true, opcode: 2, mask: false, readOnly: true, rsv1: false };

/** A long-lived stream driven one value at a time: write, then read the output. */
function driver<I>(stream: TransformStream<I, Uint8Array>) {
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  return async (input: I): Promise<number> => {
    const written = writer.write(input);
    const { value } = await reader.read();
    await written;
    return value!.length;
  };
}

function wsSenderStream(): TransformStream<Buffer, Uint8Array> {
  return new TransformStream({
    transform(data, controller) {
      const list = wsFrame(data, UNMASKED);
      controller.enqueue(list.length === 1 ? list[0]! : Buffer.concat(list));
    },
  });
}

/** Set-up iterations of both sides, so the JIT state of shared code does not favor either. */
const WARM_UP = 200;

for (const [label, size] of SIZES) {
  const frame: Frame = frameOf(OPCODE.BINARY, binaryPayload(size));
  const buffer = asBuffer(frame.payload);
  const group = `encode stream unmasked ${label}`;
  const aero = driver(new FrameEncoderStream());
  const ws = driver(wsSenderStream());
  check((await aero(frame)) === (await ws(buffer)), `${group}: output size`);
  // Both sides share the Web Streams code: warm it up for both before the first measurement.
  for (let i = 0; i < WARM_UP; i++) {
    await aero(frame);
    await ws(buffer);
  }

  Deno.bench({
    name: "AeroSocket FrameEncoderStream",
    group,
    async fn() {
      await aero(frame);
    },
  });
  Deno.bench({
    name: "ws Sender.frame in a TransformStream",
    group,
    baseline: true,
    async fn() {
      await ws(buffer);
    },
  });
}
