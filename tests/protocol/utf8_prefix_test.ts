// The UTF-8 prefix check behind the frame decoder's `validateText`: state carried across pieces,
// judged against the platform's fatal streaming decoder.
import assert from "node:assert/strict";
import fc from "fast-check";
import { _checkUtf8Prefix } from "../../src/protocol/utf8.ts";

// Whether `bytes` can start a valid UTF-8 text, by the platform's streaming decoder.
function isValidPrefix(bytes: Uint8Array): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

// Checks `bytes` in pieces cut at `cuts`; returns the index of the piece that failed, or -1.
function failingPiece(bytes: Uint8Array, cuts: number[]): number {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let state = 0;
  let start = 0;
  for (const [index, end] of [...points, bytes.length].entries()) {
    state = _checkUtf8Prefix(bytes.subarray(start, end), state);
    if (state < 0) return index;
    start = end;
  }
  return -1;
}

// Bytes biased towards UTF-8 lead and continuation bytes, so that near-valid input is common.
const utf8ish = fc.array(
  fc.oneof(
    fc.integer({ min: 0x00, max: 0x7f }),
    fc.integer({ min: 0x80, max: 0xbf }),
    fc.constantFrom(0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff),
  ),
  { maxLength: 40 },
).map((a) => new Uint8Array(a));

Deno.test("_checkUtf8Prefix fails exactly when the bytes so far cannot start valid UTF-8", () => {
  fc.assert(
    fc.property(utf8ish, fc.array(fc.nat(), { maxLength: 6 }), (bytes, cuts) => {
      const failed = failingPiece(bytes, cuts) >= 0;
      assert.equal(failed, !isValidPrefix(bytes));
    }),
    { numRuns: 3000 },
  );
});

Deno.test("_checkUtf8Prefix fails in the piece holding the first bad byte", () => {
  fc.assert(
    fc.property(utf8ish, fc.array(fc.nat(), { maxLength: 6 }), (bytes, cuts) => {
      const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
      const ends = [...points, bytes.length];
      // The first prefix length the platform rejects.
      let bad = -1;
      for (let n = 1; n <= bytes.length; n++) {
        if (!isValidPrefix(bytes.subarray(0, n))) {
          bad = n;
          break;
        }
      }
      const expected = bad < 0 ? -1 : ends.findIndex((end) => end >= bad);
      assert.equal(failingPiece(bytes, cuts), expected);
    }),
    { numRuns: 3000 },
  );
});

Deno.test("_checkUtf8Prefix accepts any text cut anywhere, long runs included", () => {
  const text = new TextEncoder().encode("aé€😀".repeat(40) + "x".repeat(200) + "κόσμε");
  for (let cut = 0; cut <= text.length; cut++) {
    const state = _checkUtf8Prefix(text.subarray(0, cut), 0);
    assert.ok(state >= 0, `cut at ${cut}`);
    assert.equal(_checkUtf8Prefix(text.subarray(cut), state), 0, `cut at ${cut}`);
  }
});

Deno.test("_checkUtf8Prefix agrees with the platform on long pieces (the word-at-a-time path)", () => {
  const long = fc.array(
    fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
      { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xbf }) },
      { weight: 1, arbitrary: fc.constantFrom(0xc2, 0xe0, 0xe2, 0xed, 0xf0, 0xf4, 0xf5) },
    ),
    { minLength: 64, maxLength: 300 },
  ).map((a) => new Uint8Array(a));
  fc.assert(
    fc.property(long, fc.array(fc.nat(), { maxLength: 4 }), (bytes, cuts) => {
      assert.equal(failingPiece(bytes, cuts) >= 0, !isValidPrefix(bytes));
    }),
    { numRuns: 2000 },
  );
});
