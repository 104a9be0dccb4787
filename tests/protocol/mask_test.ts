import assert from "node:assert/strict";
import fc from "fast-check";
import { applyMask, randomMask } from "../../src/protocol/mod.ts";
import { _disableMaskSimd, _maskSimd } from "../../src/protocol/_mask_simd.ts";
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
