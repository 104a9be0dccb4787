/**
 * Frames → bytes with the synchronous core, `encodeFrame()`, against `ws`'s `Sender.frame()`.
 *
 * Masked (a client): both draw a random key from a pooled buffer and write header and masked
 * payload into one new buffer, leaving the input untouched (`ws` with `readOnly: true`, which is
 * what its WebSocket passes for a caller's buffer).
 *
 * Unmasked (a server): `encodeFrame()` returns one contiguous buffer, ready for a single write.
 * `Sender.frame()` returns `[header, payload]` and leaves the join to the socket's `writev`, so the
 * baseline joins the two (`Buffer.concat`) to produce the same bytes; `Sender.frame()` alone is
 * shown as a third row.
 */
import { encodeFrame, type Frame, OPCODE } from "../../src/protocol/mod.ts";
import { Buffer } from "node:buffer";
import {
  asBuffer,
  BATCH_FRAMES,
  BATCH_PAYLOAD,
  binaryPayload,
  check,
  frameOf,
  SIZES,
  wsFrame,
  type WsFrameOptions,
} from "./_fixtures.ts";

const MASKED: WsFrameOptions = { fin: true, opcode: 2, mask: true, readOnly: true, rsv1: false };
const UNMASKED: WsFrameOptions = { fin: true, opcode: 2, mask: false, readOnly: true, rsv1: false };

function join(list: Buffer[]): Buffer {
  return list.length === 1 ? list[0]! : Buffer.concat(list);
}

function cases(label: string, frames: Frame[]): void {
  const buffers = frames.map((f) => asBuffer(f.payload));
  const n = frames.length;
  const maskedGroup = `encode masked ${label}`;
  const unmaskedGroup = `encode unmasked ${label}`;

  for (let i = 0; i < n; i++) {
    const aero = encodeFrame(frames[i]!, { mask: true });
    const ws = join(wsFrame(buffers[i]!, MASKED));
    check(aero.length === ws.length, `${maskedGroup}: output size`);
    check(
      Buffer.compare(encodeFrame(frames[i]!), join(wsFrame(buffers[i]!, UNMASKED))) === 0,
      `${unmaskedGroup}: identical bytes`,
    );
  }

  let sink = 0;
  Deno.bench({
    name: "AeroSocket encodeFrame",
    group: maskedGroup,
    fn() {
      for (let i = 0; i < n; i++) sink += encodeFrame(frames[i]!, { mask: true }).length;
    },
  });
  Deno.bench({
    name: "ws Sender.frame",
    group: maskedGroup,
    baseline: true,
    fn() {
      for (let i = 0; i < n; i++) sink += wsFrame(buffers[i]!, MASKED)[0]!.length;
    },
  });
  Deno.bench({
    name: "AeroSocket encodeFrame",
    group: unmaskedGroup,
    fn() {
      for (let i = 0; i < n; i++) sink += encodeFrame(frames[i]!).length;
    },
  });
  Deno.bench({
    name: "ws Sender.frame + join",
    group: unmaskedGroup,
    baseline: true,
    fn() {
      for (let i = 0; i < n; i++) sink += join(wsFrame(buffers[i]!, UNMASKED)).length;
    },
  });
  Deno.bench({
    name: "ws Sender.frame (no join)",
    group: unmaskedGroup,
    fn() {
      for (let i = 0; i < n; i++) sink += wsFrame(buffers[i]!, UNMASKED).length;
    },
  });
}

for (const [label, size] of SIZES) {
  cases(label, [frameOf(OPCODE.BINARY, binaryPayload(size))]);
}
cases(
  `${BATCH_FRAMES} × ${BATCH_PAYLOAD} B`,
  Array.from(
    { length: BATCH_FRAMES },
    (_, i) => frameOf(OPCODE.BINARY, binaryPayload(BATCH_PAYLOAD, i + 1)),
  ),
);
