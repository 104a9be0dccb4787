import assert from "node:assert/strict";
import { type _ChunkReader, _readHead } from "../../src/server/_read_head.ts";
import { parseRequestHead } from "../../src/protocol/mod.ts";
import { upgradeHead } from "./_helpers.ts";

const encoder = new TextEncoder();

// A reader that delivers `chunks` in order, then ends.
function reader(chunks: Uint8Array[]): _ChunkReader {
  const queue = [...chunks];
  return {
    read: (): Promise<ReadableStreamReadResult<Uint8Array>> => {
      const value = queue.shift();
      return Promise.resolve(value === undefined ? { done: true } : { done: false, value });
    },
    releaseLock: () => {},
    cancel: () => Promise.resolve(),
  };
}

// `text` cut into two chunks at `at`, or into one byte per chunk when `at` is "bytes".
function split(text: string, at: number | "bytes"): Uint8Array[] {
  const bytes = encoder.encode(text);
  if (at === "bytes") return [...bytes].map((b) => new Uint8Array([b]));
  return [bytes.slice(0, at), bytes.slice(at)].filter((c) => c.length > 0);
}

function cuts(text: string): (number | "bytes")[] {
  return [...Array.from({ length: encoder.encode(text).length }, (_, i) => i), "bytes"];
}

Deno.test("_readHead reads a valid head however it is split", async () => {
  const heads = [
    upgradeHead(),
    "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
    "GET http://a.example/x?y=1 HTTP/1.0\r\n\r\n",
    "M-SEARCH! /x HTTP/1.1\r\nHost: a\r\n\r\n",
  ];
  for (const head of heads) {
    for (const at of cuts(head)) {
      const result = await _readHead(reader(split(head + "after", at)), 8192);
      assert.equal(result.type, "head", `${JSON.stringify(head)} cut at ${at}`);
      if (result.type !== "head") continue;
      assert.equal(result.end, encoder.encode(head).length);
      parseRequestHead(result.bytes.subarray(0, result.end));
    }
  }
});

Deno.test("_readHead refuses what cannot begin a request as soon as it arrives", async () => {
  const starts = [
    "\x16\x03\x01\x02\x00\x01", // a TLS ClientHello on a plain port
    "\x00\x01\x02",
    " GET / HTTP/1.1\r\n",
    "\r\nGET / HTTP/1.1\r\n",
    "GE(T / HTTP/1.1\r\n",
    "GET\t/ HTTP/1.1\r\n",
    "GET / HTTP/1.1\n",
    "GET / HTTP/1.1 \r\n",
    "GET / HTTP/x.1\r\n",
    "GET / HTTPS/1.1\r\n",
    "GET  HTTP/1.1\r\n",
    "GET HTTP/1.1\r\n",
    "GET /\r\n",
  ];
  for (const start of starts) {
    for (const at of cuts(start)) {
      // No head end follows: only the early check can end the read.
      const result = await _readHead(reader(split(start, at)), 8192);
      assert.equal(result.type, "invalid", `${JSON.stringify(start)} cut at ${at}`);
    }
  }
});

Deno.test("_readHead leaves an incomplete but possible request line to the timeout", async () => {
  for (
    const start of ["G", "GET", "GET ", "GET /chat", "GET /chat HTTP/1.1", "GET /a HTTP/1.1\r"]
  ) {
    const result = await _readHead(reader(split(start, "bytes")), 8192);
    assert.equal(result.type, "closed", JSON.stringify(start));
  }
});

Deno.test("_readHead's early check agrees with the parser on every refused line", async () => {
  // Every line the early check refuses, the parser refuses too once the head is complete.
  const lines = [
    "GET / HTTP/1.1 ",
    "GET / HTTP/1.1\n",
    "GET  HTTP/1.1",
    "GET / HTTP/1.x",
    "GE(T / HTTP/1.1",
    "GET\t/ HTTP/1.1",
  ];
  for (const line of lines) {
    const head = `${line}\r\nHost: a\r\n\r\n`;
    const result = await _readHead(reader(split(head, "bytes")), 8192);
    assert.equal(result.type, "invalid", JSON.stringify(line));
    assert.throws(() => parseRequestHead(encoder.encode(head)), JSON.stringify(line));
  }
});
