import assert from "node:assert/strict";
import fc from "fast-check";
import {
  applyMask,
  createUtf8StreamDecoder,
  decodeUtf8,
  isValidUtf8,
  PROTOCOL_ERROR_CODE as E,
} from "../../src/protocol/mod.ts";
import {
  _decodeUtf8Range,
  _encodeAscii,
  _encodeUtf8,
  _encodeUtf8Into,
  _sameText,
} from "../../src/protocol/utf8.ts";
import { hex } from "./_split.ts";

const INVALID: [string, string][] = [
  ["a lone continuation byte", "80"],
  ["0xfe", "fe"],
  ["0xff", "ff"],
  ["an overlong two-byte NUL", "c0 80"],
  ["an overlong three-byte slash", "e0 80 af"],
  ["an overlong four-byte sequence", "f0 8f bf bf"],
  ["a high surrogate", "ed a0 80"],
  ["a low surrogate", "ed bf bf"],
  ["a code point above U+10FFFF", "f4 90 80 80"],
  ["a five-byte sequence", "f8 88 80 80 80"],
  ["a start byte followed by ASCII", "e2 28 a1"],
  ["a truncated sequence", "e2 82"],
];

Deno.test("isValidUtf8 accepts well-formed UTF-8 and rejects the rest", async (t) => {
  await t.step("valid text", () => {
    for (const text of ["", "ascii", "κόσμε", "\u{10ffff}", "\ufeff", "\0", "😀 mixed ✓"]) {
      assert.equal(isValidUtf8(new TextEncoder().encode(text)), true, text);
    }
  });
  for (const [name, bytes] of INVALID) {
    await t.step(name, () => assert.equal(isValidUtf8(hex(bytes)), false));
  }
});

Deno.test("decodeUtf8 keeps the byte order mark and fails with 1007", () => {
  assert.equal(decodeUtf8(hex("ef bb bf 61")), "\ufeffa");
  for (const [name, bytes] of INVALID) {
    assert.throws(() => decodeUtf8(hex(bytes)), (error: unknown) => {
      assert.equal((error as { code: string }).code, E.INVALID_UTF8, name);
      assert.equal((error as { closeCode: number }).closeCode, 1007, name);
      assert.ok((error as Error).cause !== undefined, "the platform error is the cause");
      return true;
    });
  }
});

Deno.test("Utf8StreamDecoder decodes text cut at any points", () => {
  fc.assert(
    fc.property(
      fc.string({ unit: "binary", maxLength: 100 }).filter((s) => s.isWellFormed()),
      fc.array(fc.nat(), { maxLength: 8 }),
      (text, cuts) => {
        const bytes = new TextEncoder().encode(text);
        const points = [0, ...new Set(cuts.map((c) => c % (bytes.length + 1))), bytes.length]
          .sort((a, b) => a - b);
        const decoder = createUtf8StreamDecoder();
        let out = "";
        for (let i = 0; i + 1 < points.length - 1; i++) {
          out += decoder.push(bytes.subarray(points[i], points[i + 1]));
        }
        out += decoder.end(bytes.subarray(points[points.length - 2]));
        assert.equal(out, text);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("Utf8StreamDecoder fails at the first invalid byte of a split sequence", async (t) => {
  const cases: [string, string, string][] = [
    ["0xf4 then 0x90", "f4", "90"],
    ["0xed then 0xa0 (surrogate)", "ed", "a0"],
    ["0xe0 then 0x80 (overlong)", "e0", "80"],
    ["0xf0 then 0x8f (overlong)", "f0", "8f"],
    ["0xc3 then ASCII", "c3", "41"],
    ["0xe2 0x82 then ASCII", "e2 82", "41"],
  ];
  for (const [name, first, second] of cases) {
    await t.step(name, () => {
      const decoder = createUtf8StreamDecoder();
      assert.equal(decoder.push(hex(first)), "");
      assert.throws(() => decoder.push(hex(second)), { code: E.INVALID_UTF8, closeCode: 1007 });
    });
  }
  await t.step("a sequence cut at the end fails at end()", () => {
    const decoder = createUtf8StreamDecoder();
    assert.equal(decoder.push(hex("61 f0 9f")), "a");
    assert.equal(decoder.push(hex("98")), "");
    assert.throws(() => decoder.end(), { code: E.INVALID_UTF8, closeCode: 1007 });
  });
  await t.step("end() resets the decoder for the next text", () => {
    const decoder = createUtf8StreamDecoder();
    assert.equal(decoder.push(hex("ce")), "");
    assert.equal(decoder.end(hex("ba")), "κ");
    assert.equal(decoder.end(hex("61")), "a");
  });
});

Deno.test("isValidUtf8 agrees with the platform decoder on random bytes", () => {
  const fatal = new TextDecoder("utf-8", { fatal: true });
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 16 }), (bytes) => {
      let expected = true;
      try {
        fatal.decode(bytes);
      } catch {
        expected = false;
      }
      assert.equal(isValidUtf8(bytes), expected);
    }),
    { numRuns: 300 },
  );
});

/** Byte strings built from valid characters and the bytes at the edges of UTF-8's ranges. */
const utf8ish = fc.array(
  fc.oneof(
    fc.string({ unit: "binary", minLength: 1, maxLength: 3 })
      .filter((s) => s.isWellFormed())
      .map((s) => [...new TextEncoder().encode(s)]),
    fc.constantFrom(
      0x00,
      0x7f,
      0x80,
      0xbf,
      0xc0,
      0xc1,
      0xc2,
      0xdf,
      0xe0,
      0xed,
      0xef,
      0xf0,
      0xf4,
      0xf5,
      0xff,
      0x8f,
      0x90,
      0x9f,
      0xa0,
    ).map((b) => [b]),
  ),
  { maxLength: 40 },
).map((parts) => Uint8Array.from(parts.flat()));

function platform(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

Deno.test("decodeUtf8 and isValidUtf8 agree with the platform decoder near every range edge", () => {
  fc.assert(
    fc.property(utf8ish, (bytes) => {
      const expected = platform(bytes);
      assert.equal(isValidUtf8(bytes), expected !== undefined);
      if (expected === undefined) {
        assert.throws(() => decodeUtf8(bytes), { code: E.INVALID_UTF8, closeCode: 1007 });
      } else {
        assert.equal(decodeUtf8(bytes), expected);
      }
    }),
    { numRuns: 500 },
  );
});

Deno.test("Utf8StreamDecoder agrees with the platform decoder on split input", () => {
  fc.assert(
    fc.property(utf8ish, fc.nat(), (bytes, cut) => {
      const at = cut % (bytes.length + 1);
      const expected = platform(bytes);
      const decoder = createUtf8StreamDecoder();
      let out: string | undefined;
      try {
        out = decoder.push(bytes.subarray(0, at)) + decoder.end(bytes.subarray(at));
      } catch (error) {
        assert.equal((error as { closeCode: number }).closeCode, 1007);
      }
      assert.equal(out, expected);
    }),
    { numRuns: 500 },
  );
});

Deno.test("isValidUtf8 agrees with the platform decoder on long input at any offset", () => {
  // Long inputs take the word-at-a-time path; a view at an odd offset reads unaligned words.
  const longUtf8ish = fc.tuple(fc.array(utf8ish, { minLength: 2, maxLength: 6 }), fc.nat(7)).map(
    ([parts, offset]) => {
      const body = Uint8Array.from(parts.flatMap((p) => [...p]));
      const backing = new Uint8Array(offset + body.length + 3);
      backing.set(body, offset);
      return backing.subarray(offset, offset + body.length);
    },
  );
  fc.assert(
    fc.property(longUtf8ish, (bytes) => {
      assert.equal(isValidUtf8(bytes), platform(bytes) !== undefined);
    }),
    { numRuns: 1000 },
  );
  const valid = new TextEncoder().encode("Καλημέρα κόσμε こんにちは 😀 ".repeat(8));
  for (let at = 0; at < valid.length; at++) {
    const broken = valid.slice();
    broken[at] = 0xff;
    assert.equal(isValidUtf8(broken), false, `0xff at ${at}`);
    const cut = valid.subarray(0, at);
    assert.equal(isValidUtf8(cut), platform(cut) !== undefined, `cut at ${at}`);
  }
});

Deno.test("decodeUtf8 and isValidUtf8 keep an encoded U+FFFD and reject long invalid text", () => {
  const long = "κόσμε ".repeat(500); // Over 4 KiB: the platform decoder's path.
  const withReplacement = new TextEncoder().encode(`${long}\uFFFD${long}`);
  assert.equal(decodeUtf8(withReplacement), `${long}\uFFFD${long}`);
  assert.equal(isValidUtf8(withReplacement), true);
  const invalid = new TextEncoder().encode(long + long);
  invalid[5000] = 0xff;
  assert.throws(() => decodeUtf8(invalid), { code: E.INVALID_UTF8, closeCode: 1007 });
  assert.equal(isValidUtf8(invalid), false);
  const surrogate = Uint8Array.from([...new TextEncoder().encode(long), 0xed, 0xa0, 0x80]);
  assert.throws(() => decodeUtf8(surrogate), { code: E.INVALID_UTF8, closeCode: 1007 });
});

Deno.test("_decodeUtf8Range decodes a range as decodeUtf8 decodes that view", async (t) => {
  const outcome = (f: () => string) => {
    try {
      return { text: f() };
    } catch (error) {
      return {
        code: (error as { code?: string }).code,
        closeCode: (error as { closeCode?: number }).closeCode,
      };
    }
  };
  await t.step("random text and bytes, with random bytes around the range", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "grapheme", maxLength: 60 }).map((s) => new TextEncoder().encode(s)),
          fc.uint8Array({ maxLength: 60 }),
        ),
        fc.uint8Array({ maxLength: 4 }),
        fc.uint8Array({ maxLength: 4 }),
        (middle, before, after) => {
          const bytes = new Uint8Array([...before, ...middle, ...after]);
          const start = before.length;
          const end = start + middle.length;
          assert.deepEqual(
            outcome(() => _decodeUtf8Range(bytes, start, end)),
            outcome(() => decodeUtf8(middle.slice())),
          );
        },
      ),
      { numRuns: 2000 },
    );
  });
  await t.step("a masked range decodes as its unmasked bytes; only ASCII leaves it masked", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "grapheme-ascii", maxLength: 40 }).map((s) =>
            new TextEncoder().encode(s)
          ),
          fc.string({ unit: "grapheme", maxLength: 40 }).map((s) => new TextEncoder().encode(s)),
          fc.uint8Array({ maxLength: 40 }),
        ),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.uint8Array({ maxLength: 4 }),
        (middle, key, before) => {
          const keyBytes = new Uint8Array([key >>> 24, key >>> 16, key >>> 8, key]);
          const masked = middle.slice();
          applyMask(masked, keyBytes);
          const bytes = new Uint8Array([...before, ...masked, 0x80]);
          const start = before.length;
          const end = start + masked.length;
          assert.deepEqual(
            outcome(() => _decodeUtf8Range(bytes, start, end, key)),
            outcome(() => decodeUtf8(middle.slice())),
          );
          // Bytes around the range are never touched; the range is either as it was or unmasked.
          assert.deepEqual(bytes.subarray(0, start), before);
          assert.equal(bytes[end], 0x80);
          const range = bytes.subarray(start, end);
          const ascii = middle.every((b) => b < 0x80);
          if (ascii && middle.length <= 32) assert.deepEqual(range, masked);
          else if (key !== 0) assert.deepEqual(range, middle);
        },
      ),
      { numRuns: 2000 },
    );
  });
  await t.step("a sequence cut by the end of the range is invalid, whatever follows it", () => {
    // "é" is C3 A9: the range ends after C3.
    const bytes = new Uint8Array([0x61, 0xc3, 0xa9, 0x62]);
    assert.throws(() => _decodeUtf8Range(bytes, 0, 2), { code: E.INVALID_UTF8, closeCode: 1007 });
    assert.equal(_decodeUtf8Range(bytes, 0, 3), "aé");
    assert.equal(_decodeUtf8Range(bytes, 3, 4), "b");
    assert.equal(_decodeUtf8Range(bytes, 2, 2), "");
  });
});

// Text of every kind the encoders must handle: ASCII, two-, three- and four-byte characters, and
// lone surrogates (which UTF-8 cannot carry: the platform encoder writes U+FFFD for them).
const _anyText = fc.oneof(
  fc.string({ unit: "grapheme-ascii", maxLength: 300 }),
  fc.string({ unit: "binary", maxLength: 300 }),
  fc.string({ unit: fc.constantFrom("a", "é", "€", "😀", "\ud800", "\udc00"), maxLength: 300 }),
);

Deno.test("_encodeUtf8 and _encodeUtf8Into write what TextEncoder.encode writes", () => {
  const encoder = new TextEncoder();
  fc.assert(
    fc.property(_anyText, fc.nat({ max: 8 }), (text, at) => {
      const expected = encoder.encode(text);
      assert.deepEqual(_encodeUtf8(text), expected);
      const roomy = new Uint8Array(at + expected.length + 3);
      assert.equal(_encodeUtf8Into(text, roomy, at), at + expected.length);
      assert.deepEqual(roomy.subarray(at, at + expected.length), expected);
      if (expected.length > 0) {
        const tight = new Uint8Array(at + expected.length - 1);
        assert.equal(_encodeUtf8Into(text, tight, at), -1, "does not fit");
      }
    }),
    { numRuns: 500 },
  );
  // Long text, mostly ASCII with a character of each width at the end (the second buffer).
  for (const tail of ["", "é", "€", "😀", "\ud800"]) {
    const text = "x".repeat(70_000) + tail;
    assert.deepEqual(_encodeUtf8(text), encoder.encode(text), `tail ${JSON.stringify(tail)}`);
  }
});

Deno.test("_encodeAscii writes ASCII text of any length and refuses any other", () => {
  fc.assert(
    fc.property(_anyText, fc.nat({ max: 8 }), (text, at) => {
      const into = new Uint8Array(at + text.length);
      const end = _encodeAscii(text, into, at);
      const ascii = Array.from(text).every((char) => char.charCodeAt(0) < 0x80);
      if (ascii) {
        assert.equal(end, at + text.length);
        assert.deepEqual(into.subarray(at), new TextEncoder().encode(text));
      } else {
        assert.equal(end, -1);
      }
    }),
    { numRuns: 1000 },
  );
  // Both sides of the length where the platform encoder takes over, with the last character not
  // ASCII.
  for (const length of [31, 32, 33, 34, 200]) {
    for (const last of ["x", "é", "😀"]) {
      const text = "a".repeat(length - 1) + last;
      const into = new Uint8Array(text.length + 4);
      assert.equal(_encodeAscii(text, into, 2), last === "x" ? 2 + text.length : -1);
    }
  }
});

Deno.test("_sameText is string equality, whichever end the texts differ at", () => {
  const base = "x".repeat(1000);
  const cases: [string, string][] = [
    ["", ""],
    ["a", "a"],
    [base, ["x".repeat(500), "x".repeat(500)].join("")],
    [base, "y" + base.slice(1)],
    [base, base.slice(0, 500) + "y" + base.slice(501)],
    [base, base.slice(0, 999) + "y"],
    [base, base.slice(0, 700) + "y" + base.slice(701)],
    [base, base + "x"],
    ["", "x"],
    ["é", "e"],
  ];
  for (const [a, b] of cases) {
    assert.equal(_sameText(a, b), a === b, `${a.length} / ${b.length}`);
    assert.equal(_sameText(b, a), a === b);
  }
});
