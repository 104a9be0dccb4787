import assert from "node:assert/strict";
import fc from "fast-check";
import { _sha1 } from "../../src/protocol/_sha1.ts";

function hexOf(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("_sha1 matches the FIPS 180 test vectors", () => {
  const te = new TextEncoder();
  assert.equal(hexOf(_sha1(te.encode(""))), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  assert.equal(hexOf(_sha1(te.encode("abc"))), "a9993e364706816aba3e25717850c26c9cd0d89d");
  assert.equal(
    hexOf(_sha1(te.encode("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
    "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
  );
});

Deno.test("_sha1 agrees with Web Crypto for random inputs around block boundaries", async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (data) => {
      const expected = new Uint8Array(await crypto.subtle.digest("SHA-1", data));
      assert.deepEqual(_sha1(data), expected);
    }),
    { numRuns: 200 },
  );
  // Long then short, so that a short input's padding would show bytes left from a longer one.
  for (const length of [119, 3, 64, 0, 120, 55, 128, 56, 63, 65]) {
    const data = new Uint8Array(length).fill(length % 2 === 1 ? 0xff : 0x61);
    const expected = new Uint8Array(await crypto.subtle.digest("SHA-1", data));
    assert.deepEqual(_sha1(data), expected, `${length} bytes`);
  }
});
