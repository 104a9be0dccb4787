import assert from "node:assert/strict";
import fc from "fast-check";
import { applyMask, randomMask } from "../../src/protocol/mod.ts";
import { hex } from "./_split.ts";

function naiveMask(data: Uint8Array, mask: Uint8Array, maskOffset: number): Uint8Array {
  return data.map((byte, i) => byte ^ mask[(maskOffset + i) % 4]!);
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
        assert.deepEqual(data, expected, `length ${length}, offset ${offset}, ${maskOffset}`);
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
