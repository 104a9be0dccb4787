import assert from "node:assert/strict";
import { type PayloadSchema, sanitizeText, validatePayload } from "../../src/security/mod.ts";

Deno.test("sanitizeText strips controls, bidi overrides and invisible separators", () => {
  assert.equal(sanitizeText("a\u0000b\u001Bc\u007F\u0085d"), "abcd");
  assert.equal(sanitizeText("x\u2066y\u2069\u200Bz\uFEFF"), "xyz");
  assert.equal(sanitizeText("line\nbreak\ttab"), "linebreaktab");
  assert.equal(sanitizeText("line\nbreak\ttab\r", { allowNewlines: true }), "line\nbreak\ttab");
  // Emoji ZWJ sequences survive.
  assert.equal(sanitizeText("👩\u200D💻"), "👩\u200D💻");
  // Lone surrogates become U+FFFD.
  assert.equal(sanitizeText("a\uD800b"), "a\uFFFDb");
  // Cut on a code point boundary.
  assert.equal(sanitizeText("ab😀", { maxLength: 3 }), "ab");
  assert.throws(() => sanitizeText("x", { form: "NFD" as "NFC" }), TypeError);
});

Deno.test("validatePayload runs an async Standard Schema", async () => {
  const schema: PayloadSchema<{ text: string }> = {
    "~standard": {
      version: 1,
      vendor: "test",
      validate: (value) =>
        Promise.resolve(
          typeof value === "object" && value !== null &&
            typeof (value as { text?: unknown }).text === "string"
            ? { value: value as { text: string } }
            : { issues: [{ message: "text required", path: ["text"] }] },
        ),
    },
  };
  assert.deepEqual(await validatePayload(schema, { text: "hi" }), {
    ok: true,
    value: { text: "hi" },
  });
  const bad = await validatePayload(schema, {});
  assert.equal(bad.ok, false);
  assert.equal(!bad.ok && bad.issues[0]?.message, "text required");
});
