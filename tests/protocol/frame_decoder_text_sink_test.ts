// FrameDecoder.push's `onText`: whole final text frames of a decoder that owns its input are
// handed over as a range of the chunk, still masked, with the key; everything else still comes as
// frames.
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  applyMask,
  createFrameDecoder,
  encodeFrame,
  type Frame,
  OPCODE,
} from "../../src/protocol/mod.ts";
import { concat, splitAt } from "./_split.ts";

interface Seen {
  frames: Frame[];
  // Indices into `frames` of those that came through `onText`.
  viaText: number[];
}

function decode(chunks: Uint8Array[], role: "server" | "client", ownsInput: boolean): Seen {
  const decoder = createFrameDecoder({ role, ownsInput, allowedRsv: 0b100 });
  const seen: Seen = { frames: [], viaText: [] };
  for (const chunk of chunks) {
    decoder.push(chunk, (frame) => seen.frames.push({ ...frame, payload: frame.payload.slice() }), (
      bytes,
      start,
      end,
      mask,
    ) => {
      assert.ok(start >= 0 && start <= end && end <= bytes.length, "range inside the chunk");
      assert.equal(bytes, chunk, "the range is of the chunk pushed");
      // Unmasked frames come with key 0; a wrong key shows as a wrong payload below.
      if (role === "client") assert.equal(mask, 0, "no key for an unmasked frame");
      const payload = bytes.slice(start, end);
      applyMask(payload, new Uint8Array([mask >>> 24, mask >>> 16, mask >>> 8, mask]));
      seen.viaText.push(seen.frames.length);
      seen.frames.push({ fin: true, rsv: 0, opcode: OPCODE.TEXT, payload });
    });
  }
  decoder.end();
  return seen;
}

const frameArb = fc.oneof(
  fc.record({
    fin: fc.boolean(),
    rsv: fc.constantFrom(0, 0, 4),
    opcode: fc.constantFrom(OPCODE.TEXT, OPCODE.BINARY, OPCODE.CONTINUATION),
    // Around the byte-loop / word-loop switch of unmasking (64) and the 16-bit length (126).
    payload: fc.uint8Array({ maxLength: 300 }),
  }),
  fc.record({
    fin: fc.constant(true),
    rsv: fc.constant(0),
    opcode: fc.constantFrom(OPCODE.PING, OPCODE.PONG),
    payload: fc.uint8Array({ maxLength: 125 }),
  }),
);

Deno.test("onText yields the same frames as onFrame alone, masked or not, under any chunking", () => {
  fc.assert(
    fc.property(
      fc.array(frameArb, { maxLength: 12 }),
      fc.boolean(),
      fc.array(fc.nat(), { maxLength: 6 }),
      (frames, masked, cuts) => {
        const bytes = concat(
          ...frames.map((f) => encodeFrame(f as Frame, { mask: masked ? true : false })),
        );
        const points = cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b);
        const role = masked ? "server" : "client";
        const expected = decode(splitAt(bytes.slice(), points), role, true);
        assert.deepEqual(expected.frames, frames.map((f) => ({ ...f })));
        // Only final text frames without RSV bits, whole in one chunk, go through onText.
        for (const index of expected.viaText) {
          const f = frames[index]!;
          assert.ok(f.opcode === OPCODE.TEXT && f.fin && f.rsv === 0, `frame ${index}`);
        }
      },
    ),
    { numRuns: 400 },
  );
});

Deno.test("onText gets every final text frame that arrives whole, and none when input is not owned", () => {
  const te = new TextEncoder();
  const frames: Frame[] = [
    { fin: true, rsv: 0, opcode: OPCODE.TEXT, payload: te.encode("") },
    { fin: true, rsv: 0, opcode: OPCODE.TEXT, payload: te.encode("short") },
    { fin: true, rsv: 0, opcode: OPCODE.TEXT, payload: te.encode("κόσμε".repeat(30)) },
    { fin: false, rsv: 0, opcode: OPCODE.TEXT, payload: te.encode("frag") },
    { fin: true, rsv: 0, opcode: OPCODE.CONTINUATION, payload: te.encode("ment") },
    { fin: true, rsv: 4, opcode: OPCODE.TEXT, payload: te.encode("compressed?") },
    { fin: true, rsv: 0, opcode: OPCODE.BINARY, payload: te.encode("bin") },
  ];
  const bytes = concat(...frames.map((f) => encodeFrame(f, { mask: true })));
  const owned = decode([bytes.slice()], "server", true);
  assert.deepEqual(owned.frames, frames);
  assert.deepEqual(owned.viaText, [0, 1, 2]);
  // Without `ownsInput` the payload of a masked frame is copied before unmasking, so the chunk
  // stays as it was and every frame comes through onFrame.
  const input = bytes.slice();
  const copied = decode([input], "server", false);
  assert.deepEqual(copied.frames, frames);
  assert.deepEqual(copied.viaText, []);
  assert.deepEqual(input, bytes);
});

Deno.test("onText: a text frame split across chunks comes as a frame", () => {
  const payload = new TextEncoder().encode("split across two reads");
  const bytes = encodeFrame({ fin: true, rsv: 0, opcode: OPCODE.TEXT, payload }, { mask: true });
  const seen = decode(splitAt(bytes, [10]), "server", true);
  assert.deepEqual(seen.viaText, []);
  assert.deepEqual(seen.frames[0]!.payload, payload);
});

Deno.test("onText: a short text frame still fails on a wrong mask bit or over maxFrameSize", () => {
  const payload = new TextEncoder().encode("hello");
  const frame = (mask: boolean) =>
    encodeFrame({ fin: true, rsv: 0, opcode: OPCODE.TEXT, payload }, { mask });
  const cases: [string, "server" | "client", Uint8Array, number, string][] = [
    ["unmasked frame to a server", "server", frame(false), 1024, "UNMASKED_FRAME"],
    ["masked frame to a client", "client", frame(true), 1024, "MASKED_FRAME"],
    ["frame over maxFrameSize", "server", frame(true), 4, "FRAME_TOO_BIG"],
  ];
  for (const [name, role, bytes, maxFrameSize, code] of cases) {
    const decoder = createFrameDecoder({ role, ownsInput: true, maxFrameSize });
    const seen: number[] = [];
    assert.throws(
      () => decoder.push(bytes, () => seen.push(0), () => seen.push(1)),
      { code },
      name,
    );
    assert.deepEqual(seen, [], name);
  }
  // At the limit it is accepted.
  const decoder = createFrameDecoder({ role: "server", ownsInput: true, maxFrameSize: 5 });
  let texts = 0;
  decoder.push(frame(true), () => assert.fail("not a frame"), () => texts++);
  assert.equal(texts, 1);
});
