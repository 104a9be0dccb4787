import assert from "node:assert/strict";
import fc from "fast-check";
import { applyMask, randomMask } from "../../src/protocol/mod.ts";
import { _isAscii, _unmaskAscii } from "../../src/protocol/mask.ts";
import { _disableMaskSimd, _maskAsciiSimd, _maskSimd } from "../../src/protocol/_mask_simd.ts";
import { hex } from "./_split.ts";

function naiveMask(data: Uint8Array, mask: Uint8Array, maskOffset: number): Uint8Array {
  return data.map((byte, i) => byte ^ mask[(maskOffset + i) % 4]!);
}

// Fails at the first differing byte: a deep comparison of long arrays that differ spends minutes
// building its report.
function assertSameBytes(actual: Uint8Array, expected: Uint8Array, label: string): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  const at = actual.findIndex((byte, i) => byte !== expected[i]);
  assert.equal(at, -1, `${label}: first difference at byte ${at}`);
}

Deno.test("applyMask masks the RFC 6455 §5.7 example", () => {
  const data = new TextEncoder().encode("Hello");
  applyMask(data, hex("37 fa 21 3d"));
  assert.deepEqual(data, hex("7f 9f 4d 51 58"));
});

Deno.test("applyMask equals a byte-wise XOR for any length, alignment and mask offset", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 300 }),
      fc.integer({ min: 0, max: 7 }),
      fc.integer({ min: 0, max: 7 }),
      fc.uint8Array({ minLength: 4, maxLength: 4 }),
      fc.integer({ min: 0, max: 11 }),
      (bytes, before, after, mask, maskOffset) => {
        // Place the data at an arbitrary byteOffset inside a larger buffer, with guard bytes.
        const backing = new Uint8Array(before + bytes.length + after).fill(0xa5);
        backing.set(bytes, before);
        const data = backing.subarray(before, before + bytes.length);
        const expected = naiveMask(bytes, mask, maskOffset);
        applyMask(data, mask, maskOffset);
        assert.deepEqual(data, expected);
        assert.ok(backing.subarray(0, before).every((b) => b === 0xa5), "bytes before untouched");
        assert.ok(backing.subarray(before + bytes.length).every((b) => b === 0xa5), "bytes after");
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("applyMask handles large unaligned buffers", () => {
  for (const length of [31, 32, 33, 64, 1000, 65537]) {
    for (let offset = 0; offset < 4; offset++) {
      for (let maskOffset = 0; maskOffset < 4; maskOffset++) {
        const backing = Uint8Array.from({ length: length + offset }, (_, i) => (i * 13) & 0xff);
        const data = backing.subarray(offset);
        const mask = hex("01 80 ff 3c");
        const expected = naiveMask(data, mask, maskOffset);
        applyMask(data, mask, maskOffset);
        assertSameBytes(data, expected, `length ${length}, offset ${offset}, ${maskOffset}`);
      }
    }
  }
});

Deno.test("applyMask applied twice restores the data, also in pieces", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 200 }),
      fc.uint8Array({ minLength: 4, maxLength: 4 }),
      fc.nat(),
      (bytes, mask, cut) => {
        const data = bytes.slice();
        applyMask(data, mask);
        const at = bytes.length === 0 ? 0 : cut % bytes.length;
        // Unmasking the payload in two pieces, the second starting at mask byte `at`.
        applyMask(data.subarray(0, at), mask, 0);
        applyMask(data.subarray(at), mask, at);
        assert.deepEqual(data, bytes);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("applyMask with an all-zero mask changes nothing", () => {
  const data = Uint8Array.from({ length: 100 }, (_, i) => i);
  applyMask(data, new Uint8Array(4));
  assert.deepEqual(data, Uint8Array.from({ length: 100 }, (_, i) => i));
});

Deno.test("randomMask returns fresh independent 4-byte keys", () => {
  const keys = Array.from({ length: 2000 }, () => randomMask());
  for (const key of keys) assert.equal(key.length, 4);
  // Keys are copies: changing one leaves the next untouched.
  const [a, b] = [randomMask(), randomMask()];
  const before = b.slice();
  a.fill(0);
  assert.deepEqual(b, before);
  const distinct = new Set(keys.map((k) => k.join(",")));
  assert.ok(distinct.size > 1990, `expected random keys, got ${distinct.size} distinct of 2000`);
});

Deno.test("the WebAssembly SIMD masker compiles here and masks whole 64-byte blocks only", () => {
  const data = Uint8Array.from({ length: 200 }, (_, i) => i);
  const masked = _maskSimd(data, 1, 2, 4, 8);
  assert.equal(masked, 192);
  const mask = Uint8Array.of(1, 2, 4, 8);
  const expected = naiveMask(Uint8Array.from({ length: 192 }, (_, i) => i), mask, 0);
  assert.deepEqual(data.subarray(0, 192), expected);
  assert.deepEqual(data.subarray(192), Uint8Array.from({ length: 8 }, (_, i) => 192 + i));
  assert.equal(_maskSimd(new Uint8Array(63), 1, 2, 3, 4), 0);
});

for (const simd of [true, false]) {
  const how = simd ? "with WebAssembly SIMD" : "in JavaScript only";
  Deno.test(`applyMask ${how} equals a byte-wise XOR across windows, guards untouched`, () => {
    _disableMaskSimd(!simd);
    try {
      const lengths = [1023, 1024, 1025, 1087, 4096, 65535, 65536, 65537, 65600, 200_003];
      for (const length of lengths) {
        for (const [offset, maskOffset] of [[0, 0], [1, 3], [3, 2], [2, 5]] as const) {
          const backing = Uint8Array.from(
            { length: length + offset + 5 },
            (_, i) => (i * 131 + 7) & 0xff,
          );
          const data = backing.subarray(offset, offset + length);
          const before = backing.slice(0, offset);
          const after = backing.slice(offset + length);
          const mask = hex("a7 3c 01 fe");
          const expected = naiveMask(data, mask, maskOffset);
          applyMask(data, mask, maskOffset);
          const label = `length ${length}, offset ${offset}, mask offset ${maskOffset}`;
          assertSameBytes(data, expected, label);
          assertSameBytes(backing.subarray(0, offset), before, `${label}, bytes before`);
          assertSameBytes(backing.subarray(offset + length), after, `${label}, bytes after`);
        }
      }
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 900, maxLength: 3000 }),
          fc.uint8Array({ minLength: 4, maxLength: 4 }),
          fc.integer({ min: 0, max: 7 }),
          (bytes, mask, maskOffset) => {
            const data = bytes.slice();
            applyMask(data, mask, maskOffset);
            assertSameBytes(data, naiveMask(bytes, mask, maskOffset), `length ${bytes.length}`);
          },
        ),
        // No shrinking: the byte arrays are long, and the failing one is reported as it is.
        { numRuns: 100, endOnFailure: true },
      );
    } finally {
      _disableMaskSimd(false);
    }
  });
}

// The bytes `_unmaskAscii` should leave, and its answer: `key` is a signed 32-bit number, byte 0
// in the high bits, and `phase` the mask byte of `masked[0]`. (Plain loops: this runs on hundreds
// of inputs of up to 200 KB.)
function naiveUnmaskAscii(
  masked: Uint8Array,
  key: number,
  phase: number,
): { bytes: Uint8Array; ascii: boolean } {
  const bytes = new Uint8Array(masked.length);
  let ascii = true;
  for (let i = 0; i < masked.length; i++) {
    const byte = masked[i]! ^ ((key >>> (24 - ((phase + i) % 4) * 8)) & 0xff);
    bytes[i] = byte;
    if (byte >= 0x80) ascii = false;
  }
  return { bytes, ascii };
}

// `length` bytes of printable ASCII.
function asciiPlaintext(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => 0x20 + (i * 7) % 95);
}

Deno.test("the WebAssembly SIMD ASCII check compiles here and covers whole 64-byte blocks only", () => {
  const data = asciiPlaintext(200);
  data[192] = 0xc3; // In the last 8 bytes: not its business.
  assert.equal(_maskAsciiSimd(data, 0, 0, 0, 0), false);
  data[191] = 0xc3;
  assert.equal(_maskAsciiSimd(data, 0, 0, 0, 0), true);
  const masked = Uint8Array.from({ length: 200 }, (_, i) => i);
  // Bytes 128–191 XOR 0x80 are 0–63: high before unmasking, ASCII after.
  assert.equal(_maskAsciiSimd(masked.subarray(128), 0x80, 0x80, 0x80, 0x80), false);
  assert.deepEqual(masked.subarray(128, 192), Uint8Array.from({ length: 64 }, (_, i) => i));
  assert.deepEqual(masked.subarray(192), Uint8Array.from({ length: 8 }, (_, i) => 192 + i));
  assert.equal(_maskAsciiSimd(masked.subarray(0, 64), 0x01, 0x02, 0x04, 0x08), false);
  assert.equal(_maskAsciiSimd(masked.subarray(0, 64), 0x01, 0x02, 0x04, 0x88), true);
  assert.equal(_maskAsciiSimd(new Uint8Array(63).fill(0xff), 1, 2, 3, 4), false);
  _disableMaskSimd(true);
  try {
    assert.equal(_maskAsciiSimd(new Uint8Array(128), 1, 2, 3, 4), null);
  } finally {
    _disableMaskSimd(false);
  }
});

Deno.test("the WebAssembly SIMD masker takes whole 64 KiB windows at any offset in a page", () => {
  // Windows go half a page from their data's offset in a page: these reach both ends.
  for (const offset of [0, 16, 2031, 2047, 2048, 4095]) {
    const length = 2 * 65536 + 69;
    const backing = new Uint8Array(offset + length + 5).fill(0xa5);
    const text = asciiPlaintext(length);
    const key = 0xa73c01fe | 0;
    backing.set(naiveUnmaskAscii(text, key, 1).bytes, offset);
    assert.equal(_unmaskAscii(backing, offset, offset + length, key, 1), true, `at ${offset}`);
    assertSameBytes(backing.subarray(offset, offset + length), text, `at ${offset}`);
    const mask = hex("a7 3c 01 fe");
    applyMask(backing.subarray(offset, offset + length), mask, 1);
    assertSameBytes(
      backing.subarray(offset, offset + length),
      naiveMask(text, mask, 1),
      `applyMask at ${offset}`,
    );
  }
});

Deno.test("_unmaskAscii unmasks the RFC 6455 §5.7 example and finds it ASCII", () => {
  const data = hex("00 7f 9f 4d 51 58 00");
  assert.equal(_unmaskAscii(data, 1, 6, 0x37fa213d), true);
  assert.deepEqual(data, hex("00 48 65 6c 6c 6f 00"));
  assert.equal(_isAscii(data, 0, 7), true);
  assert.equal(_isAscii(hex("48 c3 a9"), 0, 3), false);
  assert.equal(_isAscii(hex("48 c3 a9"), 0, 1), true);
  assert.equal(_isAscii(new Uint8Array(0), 0, 0), true);
});

for (const simd of [true, false]) {
  const how = simd ? "with WebAssembly SIMD" : "in JavaScript only";

  Deno.test(`_unmaskAscii ${how} unmasks like a byte-wise XOR and finds a single high byte`, () => {
    _disableMaskSimd(!simd);
    try {
      const lengths = [1, 3, 63, 64, 65, 1023, 1024, 1025, 1087, 4096, 65535, 65536, 65537, 65600];
      // 0xa73c01fe sets high bits that only unmasking clears; 0x377a213d sets none.
      const keys = [0, 0xa73c01fe | 0, 0x377a213d, 0x80808080 | 0];
      const placements = [[0, 0], [1, 3], [3, 2], [2, 5]] as const;
      for (const length of [...lengths, 200_003]) {
        const plain = asciiPlaintext(length);
        // The last whole 64-byte block, the bytes after it, and 64 KiB window boundaries.
        const whole = length - length % 64;
        const highAt = new Set(
          [0, 1, 2, 3, 4, whole - 1, whole, length - 4, length - 1, 65535, 65536, 65537, 131072]
            .filter((at) => at >= 0 && at < length),
        );
        for (const [n, at] of [-1, ...highAt].entries()) {
          const text = plain.slice();
          if (at >= 0) text[at] = 0x80 | (at & 0x7f);
          for (const [k, key] of keys.entries()) {
            // Every key at every placement; the alignments and phases in turn (all four for the
            // all-ASCII text), which keeps the test to a few seconds.
            for (
              const [offset, phase] of placements.filter((_, p) => at < 0 || p === (n + k) % 4)
            ) {
              const label = `length ${length}, high byte at ${at}, key ${
                (key >>> 0).toString(16)
              }, offset ${offset}, phase ${phase}`;
              checkUnmaskAscii(text, key, offset, phase, label);
            }
          }
        }
      }
    } finally {
      _disableMaskSimd(false);
    }
  });

  Deno.test(`_unmaskAscii ${how} equals a byte-wise reference for any bytes and range`, () => {
    _disableMaskSimd(!simd);
    try {
      fc.assert(
        fc.property(
          // Short ranges (the byte loop) and long ones (words, or SIMD blocks and a tail).
          fc.oneof(
            fc.uint8Array({ maxLength: 100, size: "max" }),
            fc.uint8Array({ minLength: 900, maxLength: 3000, size: "max" }),
          ),
          fc.boolean(),
          fc.integer({ min: 0, max: 7 }),
          fc.integer({ min: 0, max: 11 }),
          fc.oneof(fc.constant(0), fc.integer()),
          (bytes, ascii, offset, phase, key) => {
            // Half the runs have an all-ASCII plaintext: otherwise almost every answer is false.
            const text = ascii ? bytes.map((byte) => byte & 0x7f) : bytes;
            checkUnmaskAscii(text, key, offset, phase, `length ${bytes.length}`);
          },
        ),
        { numRuns: 300, endOnFailure: true },
      );
    } finally {
      _disableMaskSimd(false);
    }
  });
}

// Masks `text` with `key` from `phase` into a buffer at `offset`, between guard bytes (0xa5, high:
// reading one would change the answer); checks that `_unmaskAscii` restores `text` and answers as
// the reference, and that `_isAscii` answers the same for `text` and changes nothing.
function checkUnmaskAscii(
  text: Uint8Array,
  key: number,
  offset: number,
  phase: number,
  label: string,
): void {
  const length = text.length;
  const backing = new Uint8Array(offset + length + 5).fill(0xa5);
  const guard = new Uint8Array(8).fill(0xa5);
  const { bytes: masked } = naiveUnmaskAscii(text, key, phase);
  backing.set(masked, offset);
  const expected = naiveUnmaskAscii(masked, key, phase);
  assert.equal(_unmaskAscii(backing, offset, offset + length, key, phase), expected.ascii, label);
  assertSameBytes(backing.subarray(offset, offset + length), text, label);
  assertSameBytes(backing.subarray(offset, offset + length), expected.bytes, `${label}, reference`);
  assertSameBytes(backing.subarray(0, offset), guard.subarray(0, offset), `${label}: bytes before`);
  assertSameBytes(backing.subarray(offset + length), guard.subarray(0, 5), `${label}: bytes after`);
  assert.equal(_isAscii(backing, offset, offset + length), expected.ascii, `${label}, _isAscii`);
  assertSameBytes(backing.subarray(offset, offset + length), text, `${label}, after _isAscii`);
}
