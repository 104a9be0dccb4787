/**
 * Bytes → messages with the synchronous cores, `createFrameDecoder()` + `createMessageAssembler()`,
 * against `ws`'s Receiver, which does both in one class. Text messages end as a validated string on
 * both sides: the assembler validates while decoding; `ws` validates, and its `'message'` listener
 * calls `toString()` as `ws`'s own `MessageEvent` does. Binary messages end as bytes.
 *
 * Unmasked frames (a client reading server frames), so the input is never modified and may hold
 * multi-byte UTF-8; masking is measured in the decoder benchmarks. "fragmented" cuts each message
 * into 16 frames, which both sides join into one buffer (or string).
 *
 * `ws` keeps the chunks it is given until a fragmented message completes (Node's `Writable`
 * hands the chunk over) and joins the fragments once. The assembler is told the same with
 * `ownsInput: true`; the "copying fragments" row shows the default, which copies each fragment as
 * it arrives because the caller may reuse its buffer.
 *
 * The "assembler only" rows feed already-decoded frames to `createMessageAssembler()` alone.
 */
import {
  createFrameDecoder,
  createMessageAssembler,
  type Frame,
  type Message,
  OPCODE,
} from "../../src/protocol/mod.ts";
import {
  asBuffer,
  BATCH_FRAMES,
  BATCH_PAYLOAD,
  binaryPayload,
  check,
  fragments,
  frameOf,
  mixedText,
  noop,
  SIZES,
  wire,
  wsReceiver,
} from "./_fixtures.ts";

function cases(group: string, frames: Frame[], messages: number): void {
  const chunk = wire(frames, false);
  const buffer = asBuffer(chunk);

  const decoder = createFrameDecoder({ role: "client" });
  const assembler = createMessageAssembler({ ownsInput: true });
  let aeroSize = 0;
  const onFrame = (frame: Frame) => {
    const event = assembler.push(frame);
    if (event !== undefined) aeroSize += (event as Message).data.length;
  };
  let wsSize = 0;
  const receiver = wsReceiver(false, (data, isBinary) => {
    wsSize += isBinary ? data.length : data.toString().length;
  });
  // Frames as the decoder hands them over, for the assembler-only row.
  const decoded: Frame[] = [];
  createFrameDecoder({ role: "client" }).push(chunk, (f) => decoded.push(f));

  decoder.push(chunk, onFrame);
  receiver._write(buffer, "buffer", noop);
  check(aeroSize === wsSize && aeroSize > 0, `${group}: same messages`);
  check(decoded.filter((f) => f.fin).length === messages, `${group}: message count`);

  Deno.bench({
    name: "AeroSocket decoder + assembler",
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
  let sink = 0;
  if (frames.length > messages) {
    const copying = createMessageAssembler();
    const copyingDecoder = createFrameDecoder({ role: "client" });
    const onCopyingFrame = (frame: Frame) => {
      const event = copying.push(frame);
      if (event !== undefined) sink += (event as Message).data.length;
    };
    Deno.bench({
      name: "AeroSocket decoder + assembler (copying fragments)",
      group,
      fn() {
        copyingDecoder.push(chunk, onCopyingFrame);
      },
    });
  }
  const alone = createMessageAssembler({ ownsInput: true });
  Deno.bench({
    name: "AeroSocket assembler only",
    group,
    fn() {
      for (let i = 0; i < decoded.length; i++) {
        const event = alone.push(decoded[i]!);
        if (event !== undefined) sink += (event as Message).data.length;
      }
    },
  });
}

for (const [label, size] of SIZES) {
  cases(`assemble text ${label}`, [frameOf(OPCODE.TEXT, mixedText(size))], 1);
  cases(`assemble binary ${label}`, [frameOf(OPCODE.BINARY, binaryPayload(size))], 1);
}
for (const [label, size] of SIZES.slice(2)) {
  cases(`assemble text ${label} fragmented`, fragments(OPCODE.TEXT, mixedText(size), 16), 1);
  cases(
    `assemble binary ${label} fragmented`,
    fragments(OPCODE.BINARY, binaryPayload(size), 16),
    1,
  );
}
cases(
  `assemble text ${BATCH_FRAMES} × ${BATCH_PAYLOAD} B in one chunk`,
  Array.from({ length: BATCH_FRAMES }, () => frameOf(OPCODE.TEXT, mixedText(BATCH_PAYLOAD))),
  BATCH_FRAMES,
);
