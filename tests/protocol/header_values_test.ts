import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type ExtensionOffer,
  formatExtensionHeader,
  HandshakeError,
  isToken,
  parseExtensionHeader,
  parseProtocolHeader,
} from "../../src/protocol/mod.ts";

const TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

function assert400(fn: () => unknown, context: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof HandshakeError, `${context}: ${error}`);
    assert.equal(error.status, 400, context);
    return true;
  });
}

Deno.test("isToken follows the HTTP token grammar", () => {
  assert.equal(isToken(TOKEN_CHARS), true);
  for (const char of ' "(),/:;<=>?@[\\]{}\t\u00e9\u0000') {
    assert.equal(isToken(`a${char}b`), false, JSON.stringify(char));
  }
  assert.equal(isToken(""), false);
});

Deno.test("parseProtocolHeader parses a list of subprotocols", () => {
  assert.deepEqual(parseProtocolHeader(null), []);
  assert.deepEqual(parseProtocolHeader("chat"), ["chat"]);
  assert.deepEqual(parseProtocolHeader("aero.v1.json,chat ,\t superchat"), [
    "aero.v1.json",
    "chat",
    "superchat",
  ]);
  // Subprotocol names are case-sensitive, so these are two different offers.
  assert.deepEqual(parseProtocolHeader("chat, Chat"), ["chat", "Chat"]);
});

Deno.test("parseProtocolHeader refuses malformed lists with 400", () => {
  for (const value of ["", " ", "a,", ",a", "a,,b", "a b", "a/b", '"chat"', "a, a", "é"]) {
    assert400(() => parseProtocolHeader(value), JSON.stringify(value));
  }
});

Deno.test("parseExtensionHeader parses offers, parameters and quoted values", async (t) => {
  await t.step("a missing header", () => assert.deepEqual(parseExtensionHeader(null), []));
  await t.step("several offers of the same extension", () => {
    assert.deepEqual(
      parseExtensionHeader(
        "permessage-deflate; client_max_window_bits; server_max_window_bits=10, permessage-deflate",
      ),
      [
        {
          name: "permessage-deflate",
          params: [["client_max_window_bits", true], ["server_max_window_bits", "10"]],
        },
        { name: "permessage-deflate", params: [] },
      ],
    );
  });
  await t.step("whitespace around every separator", () => {
    assert.deepEqual(parseExtensionHeader(' \tfoo \t; a = 1 ;b\t,  bar ;c= "2" \t'), [
      { name: "foo", params: [["a", "1"], ["b", true]] },
      { name: "bar", params: [["c", "2"]] },
    ]);
  });
  await t.step("quoted values with escapes", () => {
    assert.deepEqual(parseExtensionHeader('foo; a="10"; b="x\\y"; c="\\z"'), [
      { name: "foo", params: [["a", "10"], ["b", "xy"], ["c", "z"]] },
    ]);
    assert.deepEqual(parseExtensionHeader('foo; a="\\1\\0"'), [
      { name: "foo", params: [["a", "10"]] },
    ]);
  });
  await t.step("duplicate parameters are kept for the extension to decline", () => {
    assert.deepEqual(parseExtensionHeader("foo; a=1; a=2"), [
      { name: "foo", params: [["a", "1"], ["a", "2"]] },
    ]);
  });
});

Deno.test("parseExtensionHeader refuses malformed syntax with 400", () => {
  const malformed = [
    "",
    " ",
    ",",
    "foo,",
    ",foo",
    "foo,,bar",
    "foo;",
    "foo; ;a",
    "foo;=1",
    "foo; a=",
    "foo; a==1",
    "foo bar",
    "foo; a=1 b",
    'foo; a="1"x',
    'foo; a="unterminated',
    'foo; a="\\',
    'foo; a="x y"',
    'foo; a=""',
    'foo; a="1,2"',
    '"foo"',
    "foo; a=é",
    "foo/bar",
  ];
  for (const value of malformed) {
    assert400(() => parseExtensionHeader(value), JSON.stringify(value));
  }
});

Deno.test("formatExtensionHeader writes what parseExtensionHeader reads", () => {
  const token = fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 12 });
  const offer: fc.Arbitrary<ExtensionOffer> = fc.record({
    name: token,
    params: fc.array(
      fc.tuple(token, fc.oneof(token, fc.constant(true as const))).map(
        ([key, value]): [string, string | true] => [key, value],
      ),
      { maxLength: 4 },
    ),
  }).map((o) => ({ ...o }));
  fc.assert(
    fc.property(fc.array(offer, { minLength: 1, maxLength: 4 }), (offers) => {
      const header = formatExtensionHeader(offers);
      assert.deepEqual(parseExtensionHeader(header), offers);
    }),
    { numRuns: 300 },
  );
});

Deno.test("formatExtensionHeader normalizes a parsed header", () => {
  const parsed = parseExtensionHeader(' foo ;a="1";  b ,bar;c=x ');
  assert.equal(formatExtensionHeader(parsed), "foo; a=1; b, bar; c=x");
  assert.deepEqual(parseExtensionHeader(formatExtensionHeader(parsed)), parsed);
});

Deno.test("formatExtensionHeader quotes and escapes values that are not tokens", () => {
  assert.equal(
    formatExtensionHeader([{ name: "foo", params: [["a", 'x "y" \\z']] }]),
    'foo; a="x \\"y\\" \\\\z"',
  );
});
