/**
 * Bytes → frames with the synchronous core, `createFrameDecoder().push()`, against `ws`'s Receiver
 * fed the same chunk through its `_write` (the synchronous body of `Writable.write`).
 *
 * Binary frames, so `ws` does no UTF-8 work either: both parse the header, check the limits and
 * masking rule, unmask in place (the decoder with `ownsInput: true`; `ws` always does) and hand
 * over a view of the payload. Masked = a server reading client frames; unmasked = a client.
 */
import { createFrameDecoder, type Frame, OPCODE } from "../../src/protocol/mod.ts";
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

function cases(label: string, frames: Frame[], masked: boolean): void {
  const chunk = wire(frames, masked);
  const buffer = asBuffer(chunk);
  const role = masked ? "server" : "client";
  const group = `decode ${masked ? "masked" : "unmasked"} ${label}`;

  const decoder = createFrameDecoder({ role, ownsInput: true });
  let aeroFrames = 0;
  let aeroBytes = 0;
  const onFrame = (frame: Frame) => {
    aeroFrames++;
    aeroBytes += frame.payload.length;
  };
  let wsFrames = 0;
  let wsBytes = 0;
  const receiver = wsReceiver(masked, (data) => {
    wsFrames++;
    wsBytes += data.length;
  });

  // Same work: one pass of each yields the same frames.
  decoder.push(chunk, onFrame);
  receiver._write(buffer, "buffer", noop);
  check(aeroFrames === frames.length && wsFrames === frames.length, `${group}: frame count`);
  check(aeroBytes === wsBytes, `${group}: payload bytes`);

  Deno.bench({
    name: "AeroSocket createFrameDecoder",
    group,
    fn() {
      decoder.push(chunk, onFrame);
    },
  });
  Deno.bench({
    name: "ws Receiver",
    group,
    baseline: true,
    fn() {
      receiver._write(buffer, "buffer", noop);
    },
  });
}

for (const masked of [true, false]) {
  for (const [label, size] of SIZES) {
    cases(label, [frameOf(OPCODE.BINARY, binaryPayload(size))], masked);
  }
  const batch = Array.from(
    { length: BATCH_FRAMES },
    (_, i) => frameOf(OPCODE.BINARY, binaryPayload(BATCH_PAYLOAD, i + 1)),
  );
  cases(`${BATCH_FRAMES} × ${BATCH_PAYLOAD} B in one chunk`, batch, masked);
}
