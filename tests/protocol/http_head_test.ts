import assert from "node:assert/strict";
import {
  findHeadEnd,
  formatResponseHead,
  HandshakeError,
  parseRequestHead,
  parseResponseHead,
} from "../../src/protocol/mod.ts";

const te = new TextEncoder();

function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

Deno.test("findHeadEnd finds the blank line after the headers", () => {
  const bytes = te.encode("GET / HTTP/1.1\r\nHost: a\r\n\r\nbody");
  const end = bytes.length - 4;
  assert.equal(findHeadEnd(bytes), end);
  for (let length = 0; length < end; length++) {
    assert.equal(findHeadEnd(bytes.subarray(0, length)), -1, `${length} bytes`);
  }
  // Scanning again from three bytes before the previous end of data, as arriving bytes grow.
  for (let previous = 0; previous < end; previous++) {
    assert.equal(findHeadEnd(bytes, previous - 3), end, `from ${previous - 3}`);
  }
  assert.equal(findHeadEnd(te.encode("a\r\n\r")), -1);
  assert.equal(findHeadEnd(te.encode("\r\r\n\r\n")), 5);
});

Deno.test("parseRequestHead parses a request line and its headers", () => {
  const head = parseRequestHead(
    te.encode(
      "GET /chat?room=a HTTP/1.1\r\nHost: example.com\r\nX-A: 1\r\nx-a:2\r\nEmpty:\r\n\r\n",
    ),
  );
  assert.equal(head.method, "GET");
  assert.equal(head.target, "/chat?room=a");
  assert.equal(head.httpVersion, "HTTP/1.1");
  assert.equal(head.headers.get("host"), "example.com");
  assert.equal(head.headers.get("x-a"), "1, 2");
  assert.equal(head.headers.get("empty"), "");
});

Deno.test("parseRequestHead keeps obs-text bytes as Latin-1 instead of failing", () => {
  const head = parseRequestHead(latin1("GET / HTTP/1.1\r\nX-Name: caf\xe9 \x80\x9f\xff\r\n\r\n"));
  assert.equal(head.headers.get("x-name"), "caf\xe9 \x80\x9f\xff");
});

Deno.test("parseRequestHead reads a long head the same whether or not it is ASCII", () => {
  // Over 8 KiB, so that non-ASCII text is turned into characters in more than one piece.
  const value = "v".repeat(20_000);
  for (const extra of ["", "\xe9\x80\xff"]) {
    const text = `GET /a HTTP/1.1\r\nHost: h\r\nX-Long: ${value}${extra}\r\nX-After: z\r\n\r\n`;
    const head = parseRequestHead(latin1(text));
    assert.equal(head.headers.get("x-long"), value + extra);
    assert.equal(head.headers.get("x-after"), "z");
    assert.equal(head.target, "/a");
  }
});

Deno.test("parseRequestHead refuses malformed heads with 400", async (t) => {
  const cases: [string, string][] = [
    ["an incomplete head", "GET / HTTP/1.1\r\nHost: a\r\n"],
    ["a malformed request line", "GET /\r\n\r\n"],
    ["two spaces in the request line", "GET  / HTTP/1.1\r\n\r\n"],
    ["a lowercase protocol", "GET / http/1.1\r\n\r\n"],
    ["a header line without a colon", "GET / HTTP/1.1\r\nHost\r\n\r\n"],
    ["an empty header name", "GET / HTTP/1.1\r\n: a\r\n\r\n"],
    ["whitespace before the colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n"],
    ["obsolete line folding", "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n"],
    ["a bare LF in a header", "GET / HTTP/1.1\r\nX: a\nY: b\r\n\r\n"],
    ["a bare CR in a header", "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n"],
    ["a bare LF in the request line", "GET / HTTP/1.1\nHost: a\r\n\r\n"],
    ["a NUL in a header value", "GET / HTTP/1.1\r\nX: a\0b\r\n\r\n"],
    ["a non-token header name", "GET / HTTP/1.1\r\nX(y): a\r\n\r\n"],
  ];
  for (const [name, text] of cases) {
    await t.step(name, () => {
      assert.throws(() => parseRequestHead(latin1(text)), (error: unknown) => {
        assert.ok(error instanceof HandshakeError, `${error}`);
        assert.equal(error.status, 400);
        return true;
      });
    });
  }
});

Deno.test("parseRequestHead answers 505 to a version other than HTTP/1.x", () => {
  assert.throws(() => parseRequestHead(te.encode("GET / HTTP/2.0\r\n\r\n")), { status: 505 });
  assert.equal(parseRequestHead(te.encode("GET / HTTP/1.0\r\n\r\n")).httpVersion, "HTTP/1.0");
});

Deno.test("parseResponseHead parses a status line and its headers", () => {
  const head = parseResponseHead(
    te.encode("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"),
  );
  assert.deepEqual(
    [head.httpVersion, head.status, head.statusText, head.headers.get("upgrade")],
    ["HTTP/1.1", 101, "Switching Protocols", "websocket"],
  );
  const bare = parseResponseHead(te.encode("HTTP/1.1 404\r\n\r\n"));
  assert.equal(bare.status, 404);
  assert.equal(bare.statusText, "");
});

Deno.test("parseResponseHead refuses malformed heads with 502", () => {
  for (
    const text of [
      "HTTP/1.1 101 OK\r\n",
      "HTTP/2 101 OK\r\n\r\n",
      "HTTP/1.1 1010 OK\r\n\r\n",
      "HTTP/1.1 101 OK\r\nUpgrade : websocket\r\n\r\n",
      "ICY 200 OK\r\n\r\n",
    ]
  ) {
    assert.throws(() => parseResponseHead(te.encode(text)), { status: 502 }, text);
  }
});

Deno.test("formatResponseHead writes a head that parseResponseHead reads back", () => {
  const headers = new Headers({ upgrade: "websocket", "sec-websocket-accept": "abc=" });
  const bytes = formatResponseHead(101, "Switching Protocols", headers);
  const text = new TextDecoder().decode(bytes);
  assert.ok(text.startsWith("HTTP/1.1 101 Switching Protocols\r\n"));
  assert.ok(text.endsWith("\r\n\r\n"));
  assert.equal(findHeadEnd(bytes), bytes.length);
  const head = parseResponseHead(bytes);
  assert.equal(head.status, 101);
  assert.deepEqual([...head.headers], [...headers]);
});
