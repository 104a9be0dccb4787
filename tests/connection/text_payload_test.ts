// `_textPayload`: the UTF-8 bytes of a message's text, from a shared scratch buffer or from a
// cache of the last string, which fan-out sends to many connections.
import assert from "node:assert/strict";
import { _textPayload } from "../../src/connection/_text_payload.ts";

const te = new TextEncoder();

Deno.test("text payload: exact UTF-8 bytes through the scratch buffer and the cache", () => {
  const texts = [
    "",
    "plain ascii",
    "héllo wörld",
    "😀 pair and lone \ud800 surrogate",
    "x".repeat(70_000), // grows the scratch buffer past its first 64 KiB
    "é".repeat(40_000), // 40,000 units, 80,000 bytes: more than the units fit the scratch
    "€".repeat(30_000) + "a".repeat(50_000),
  ];
  for (const text of texts) {
    for (const scratch of [true, false]) {
      const bytes = _textPayload(text, scratch);
      assert.deepEqual(Array.from(bytes), Array.from(te.encode(text)), `${text.length} ${scratch}`);
    }
  }
});

Deno.test("text payload: the same string is encoded once without the scratch buffer", () => {
  const text = "fan-out ".repeat(100);
  const first = _textPayload(text, false);
  assert.equal(_textPayload(text, false), first);
  // An equal string made separately is the same text: its bytes may be reused too.
  assert.deepEqual(Array.from(_textPayload(text.slice(0), false)), Array.from(first));
  const other = _textPayload("another", false);
  assert.notEqual(other, first);
  assert.deepEqual(Array.from(other), Array.from(te.encode("another")));
});

Deno.test("text payload: scratch bytes are a view that the next call may overwrite", () => {
  const a = _textPayload("aaaa", true);
  assert.deepEqual(Array.from(a), [97, 97, 97, 97]);
  const b = _textPayload("bbbb", true);
  assert.equal(a.buffer, b.buffer, "one scratch buffer");
  assert.deepEqual(Array.from(b), [98, 98, 98, 98]);
});
