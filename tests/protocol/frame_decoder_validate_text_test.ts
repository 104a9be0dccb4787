// FrameDecoder's `validateText`: a text frame that arrives in pieces is unmasked and checked as
// it comes, failing at the first chunk with a byte that cannot continue valid UTF-8.
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  encodeFrame,
  type Frame,
  OPCODE,
  PROTOCOL_ERROR_CODE as E,
  ProtocolError,
} from "../../src/protocol/mod.ts";
import { decodeFrames } from "./_pipeline.ts";
import { concat, splitAt } from "./_split.ts";
import { _disableMaskSimd } from "../../src/protocol/_mask_simd.ts";

const MASK = new Uint8Array([0x37, 0xfa, 0x21, 0x3d]);
// "κόσμε", then F4 90: above U+10FFFF, so the second byte is the first that cannot continue.
const KOSME = [0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5];
const BAD = new Uint8Array([...KOSME, 0xf4, 0x90, 0x80, 0x80, 0x65, 0x64, 0x69, 0x74]);
const FIRST_BAD = KOSME.length + 1;

Deno.test("validateText keeps every frame intact under random chunking, masked or not", () => {
  const text = fc.string({ unit: "grapheme", maxLength: 200 }).map((s) =>
    new TextEncoder().encode(s)
  );
  const frameArb = fc.oneof(
    fc.record({
      fin: fc.boolean(),
      rsv: fc.constant(0),
      opcode: fc.constant(OPCODE.TEXT),
      payload: text,
    }),
    // Not checked: binary, continuation, and text with RSV bits (an extension's encoding).
    fc.record({
      fin: fc.boolean(),
      rsv: fc.constant(0),
      opcode: fc.constantFrom(OPCODE.BINARY, OPCODE.CONTINUATION),
      payload: fc.uint8Array({ maxLength: 200 }),
    }),
    fc.record({
      fin: fc.boolean(),
      rsv: fc.constant(4),
      opcode: fc.constant(OPCODE.TEXT),
      payload: fc.uint8Array({ maxLength: 200 }),
    }),
  ).map((frame) => ({ ...frame })) as fc.Arbitrary<Frame>;
  fc.assert(
    fc.property(
      fc.array(frameArb, { minLength: 1, maxLength: 5 }),
      fc.boolean(),
      fc.array(fc.nat(), { maxLength: 12 }),
      fc.boolean(),
      (frames, masked, cuts, ownsInput) => {
        const bytes = concat(...frames.map((f) => encodeFrame(f, masked ? { mask: MASK } : {})));
        const points = [...new Set(cuts.map((c) => c % bytes.length))]
          .filter((p) => p > 0)
          .sort((a, b) => a - b);
        const result = decodeFrames(splitAt(bytes, points), {
          role: masked ? "server" : "client",
          allowedRsv: 7,
          ownsInput,
          validateText: true,
        });
        assert.equal(result.error, undefined);
        assert.deepEqual(result.out, frames);
      },
    ),
    { numRuns: 500 },
  );
});

for (const masked of [true, false]) {
  Deno.test(`validateText fails a ${masked ? "masked" : "unmasked"} text frame at the chunk holding its first bad byte`, () => {
    const bytes = encodeFrame(
      { fin: true, rsv: 0, opcode: OPCODE.TEXT, payload: BAD },
      masked ? { mask: MASK } : {},
    );
    const header = bytes.length - BAD.length;
    // Byte by byte after the header.
    const points = Array.from({ length: BAD.length - 1 }, (_, i) => header + i + 1);
    const result = decodeFrames(splitAt(bytes, [header, ...points]), {
      role: masked ? "server" : "client",
      validateText: true,
    });
    assert.ok(result.error instanceof ProtocolError);
    assert.equal(result.error.code, E.INVALID_UTF8);
    assert.equal(result.error.closeCode, 1007);
    assert.equal(result.bytesBefore, header + FIRST_BAD);
    // Without the option the frame goes through whole (the assembler judges it).
    const plain = decodeFrames(splitAt(bytes, [header, ...points]), {
      role: masked ? "server" : "client",
    });
    assert.equal(plain.error, undefined);
    assert.deepEqual(plain.out.map((f) => f.payload), [BAD]);
  });
}

Deno.test("validateText leaves continuation frames and whole frames to the assembler", () => {
  const continuation = encodeFrame(
    { fin: true, rsv: 0, opcode: OPCODE.CONTINUATION, payload: BAD },
    {
      mask: MASK,
    },
  );
  const split = decodeFrames(splitAt(continuation, [3, 9, 15]), {
    role: "server",
    validateText: true,
  });
  assert.equal(split.error, undefined);
  const whole = encodeFrame({ fin: true, rsv: 0, opcode: OPCODE.TEXT, payload: BAD }, {
    mask: MASK,
  });
  const result = decodeFrames([whole], { role: "server", validateText: true });
  assert.equal(result.error, undefined);
  assert.deepEqual(result.out.map((f) => f.payload), [BAD]);
});

// Large pieces are unmasked and found all ASCII in one pass (WebAssembly SIMD where available):
// ASCII is valid only where no sequence is left cut at the end of the previous piece.
for (const simd of [true, false]) {
  for (const masked of [true, false]) {
    Deno.test(`validateText on large pieces, ${masked ? "masked" : "unmasked"}, ${simd ? "SIMD" : "JavaScript only"}`, () => {
      _disableMaskSimd(!simd);
      try {
        const a = (n: number) => new Uint8Array(n).fill(0x61);
        // [payload, split points relative to the payload, index of the failing piece's start or
        // undefined when valid]
        const cases: [Uint8Array, number[], number | undefined][] = [
          // "é" cut between its two bytes, then ASCII: valid.
          [concat(a(3000), new Uint8Array([0xc3, 0xa9]), a(3000)), [3001], undefined],
          // A lead byte cut at the end of a piece, then only ASCII: invalid at the next piece.
          [concat(a(3000), new Uint8Array([0xc3]), a(3000)), [3001], 3001],
          [concat(a(3000), new Uint8Array([0xe2, 0x82]), a(3000)), [3002], 3002],
          // A bad byte deep inside ASCII pieces, past a 64 KiB window.
          [concat(a(5000), new Uint8Array([0xff]), a(5000)), [2000, 7000], 2000],
          [concat(a(70_000), new Uint8Array([0x80]), a(2000)), [32_768, 65_536], 65_536],
          // Within one piece (from byte 10 on), a character cut by the 4,096-byte block boundary
          // at 4,106: valid; a lead byte there followed by ASCII: invalid; a bad byte in a later
          // block than a valid non-ASCII one: invalid.
          [concat(a(4105), new Uint8Array([0xe2, 0x82, 0xac]), a(5000)), [], undefined],
          [concat(a(4104), new Uint8Array([0xf0, 0x9f, 0x98, 0x80]), a(5000)), [], undefined],
          [concat(a(4105), new Uint8Array([0xe2]), a(5000)), [], 10],
          [concat(a(100), new Uint8Array([0xc3, 0xa9]), a(5000), new Uint8Array([0xff])), [], 10],
          // ASCII, then a valid 4-byte character cut across pieces, then ASCII.
          [concat(a(2000), new Uint8Array([0xf0, 0x9f, 0x98, 0x80]), a(2000)), [2002], undefined],
        ];
        for (const [payload, splits, failingAt] of cases) {
          const bytes = encodeFrame(
            { fin: true, rsv: 0, opcode: OPCODE.TEXT, payload },
            masked ? { mask: MASK } : {},
          );
          const header = bytes.length - payload.length;
          const result = decodeFrames(
            splitAt(bytes, [header + 10, ...splits.map((p) => header + p)]),
            {
              role: masked ? "server" : "client",
              ownsInput: true,
              validateText: true,
            },
          );
          if (failingAt === undefined) {
            assert.equal(result.error, undefined);
            assert.equal(result.out.length, 1);
            const decoded = result.out[0]!.payload;
            assert.ok(
              decoded.length === payload.length && decoded.every((b, i) => b === payload[i]),
            );
          } else {
            assert.ok(result.error instanceof ProtocolError, `fails at ${failingAt}`);
            assert.equal(result.error.code, E.INVALID_UTF8);
            assert.equal(result.bytesBefore, header + failingAt);
          }
        }
      } finally {
        _disableMaskSimd(false);
      }
    });
  }
}
