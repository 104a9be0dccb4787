import assert from "node:assert/strict";
import {
  MAX_NICK_LENGTH,
  MAX_TEXT_LENGTH,
  sanitizeText,
  validateNick,
  validateRoom,
} from "../../examples/chat/sanitize.ts";

Deno.test("Chat text is NFC-normalized, stripped of controls and bidi overrides, and bounded", () => {
  assert.deepEqual(sanitizeText("e\u0301"), { ok: true, value: "\u00e9" });
  assert.deepEqual(sanitizeText("a\u0000b\u001bc\u007fd\u0085e"), { ok: true, value: "a b c d e" });
  assert.deepEqual(sanitizeText("line\r\nbreak\ttab"), { ok: true, value: "line break tab" });
  assert.deepEqual(sanitizeText("\u202Eevil\u2066x\u2069\u200F"), { ok: true, value: "evil x" });
  assert.deepEqual(sanitizeText("<img src=x onerror=alert(1)>"), {
    ok: true,
    value: "<img src=x onerror=alert(1)>",
  }, "markup stays text: the page renders with textContent");
  assert.equal(sanitizeText("🎉".repeat(MAX_TEXT_LENGTH)).ok, true, "counted in code points");
  assert.equal(sanitizeText("x".repeat(MAX_TEXT_LENGTH + 1)).ok, false);
  assert.equal(sanitizeText("x".repeat(100_000)).ok, false);
  assert.equal(sanitizeText("\u0000\u0001 ").ok, false);
  assert.equal(sanitizeText(42).ok, false);
});

Deno.test("Chat nicknames and rooms are validated", () => {
  assert.deepEqual(validateNick("  Ada Lovelace "), { ok: true, value: "Ada Lovelace" });
  assert.deepEqual(validateNick("Zoe\u0308"), { ok: true, value: "Zoë" });
  for (
    const bad of ["", " ", "-ada", "a<b", "a\u0000", "a\u202E", "x".repeat(MAX_NICK_LENGTH + 1), 7]
  ) {
    assert.equal(validateNick(bad).ok, false, JSON.stringify(bad));
  }
  assert.equal(validateRoom("room-1").ok, true);
  for (const bad of ["", "Room", "a.b", "-a", "a".repeat(33), "a*", null]) {
    assert.equal(validateRoom(bad).ok, false, JSON.stringify(bad));
  }
});
