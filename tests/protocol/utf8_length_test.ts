// `_utf8Length` must equal the length of `TextEncoder`'s encoding for every string: short ones
// (counted in JavaScript) and long ones (counted through the platform encoder in chunks, which
// must never split a surrogate pair).
import assert from "node:assert/strict";
import fc from "fast-check";
import { _utf8Length } from "../../src/protocol/_utf8_length.ts";

const encoded = (text: string) => new TextEncoder().encode(text).length;

Deno.test("_utf8Length matches TextEncoder on short and long text of every kind", () => {
  const units = ["a", "\u007f", "\u0080", "é", "\u07ff", "\u0800", "€", "\uffff", "\u{1f600}"];
  const lone = ["\ud800", "\udbff", "\udc00", "\udfff"];
  const texts: string[] = ["", "a"];
  for (const unit of [...units, ...lone]) {
    for (const count of [1, 63, 127, 128, 5_000, 16_384, 16_385, 40_000]) {
      texts.push(unit.repeat(count));
    }
  }
  // A surrogate pair, or a lone high surrogate, right at each chunk boundary (16,384 units).
  for (const at of [16_382, 16_383, 16_384, 32_767, 32_768]) {
    texts.push("a".repeat(at) + "\u{1f600}" + "b".repeat(20_000));
    texts.push("a".repeat(at) + "\ud800" + "b".repeat(20_000));
    texts.push("a".repeat(at) + "\ud800\ud800\udc00" + "b".repeat(20_000));
  }
  for (const text of texts) {
    assert.equal(_utf8Length(text), encoded(text), `length ${text.length}`);
  }
});

Deno.test("_utf8Length matches TextEncoder on random text, short and long", () => {
  fc.assert(
    fc.property(
      fc.string({ unit: "binary", maxLength: 300 }),
      fc.nat({ max: 40_000 }),
      (piece, repeat) => {
        const text = piece.repeat(Math.max(1, Math.floor(repeat / Math.max(1, piece.length))));
        assert.equal(_utf8Length(piece), encoded(piece));
        assert.equal(_utf8Length(text), encoded(text));
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("_utf8Length counts again a text measured before, and never gives one text's count for another", () => {
  const ascii = "x".repeat(70_000);
  const accented = "é".repeat(70_000); // same length, twice the bytes
  const emoji = "\u{1f600}".repeat(35_000); // same length again, 140,000 bytes
  const lastDiffers = "x".repeat(69_999) + "é";
  // The same at its end and middle as `ascii`: only the full comparison tells them apart.
  const firstDiffers = "é" + "x".repeat(69_999);
  for (let round = 0; round < 3; round++) {
    for (
      const text of [ascii, ascii, accented, ascii, emoji, emoji, lastDiffers, ascii, firstDiffers]
    ) {
      assert.equal(_utf8Length(text), encoded(text), `round ${round}, ${text.slice(-1)}`);
    }
  }
  // An equal string made separately has the same count.
  assert.equal(_utf8Length(["x".repeat(35_000), "x".repeat(35_000)].join("")), 70_000);
});
