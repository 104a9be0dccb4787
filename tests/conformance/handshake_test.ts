// Conformance, opening handshake (RFC 6455 §4.2): the status of every refused request, and no
// slowloris. Server harnesses only; the client's handshake checks live in tests/client.
import assert from "node:assert/strict";
import {
  computeAcceptKey,
  findHeadEnd,
  generateKey,
  parseResponseHead,
} from "../../src/protocol/mod.ts";
import type { Harness, ListenOptions } from "./_harness.ts";
import { nativeHarness, upgradeRequest } from "./_server_harness.ts";
import { echo, HARNESSES } from "./_suite.ts";
import { delay, withTimeout } from "./_timing.ts";

const _encoder = new TextEncoder();
const SERVERS = HARNESSES.filter((h) => h.listen !== undefined);

interface Answer {
  status: number;
  headers: Headers;
}

// Sends `request` on a fresh TCP connection and reads the response head (bounded).
async function _ask(port: number, request: string): Promise<Answer> {
  const tcp = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await tcp.write(_encoder.encode(request));
    let bytes = new Uint8Array(0);
    const buffer = new Uint8Array(4096);
    while (findHeadEnd(bytes) < 0) {
      const n = await withTimeout(tcp.read(buffer), 3_000, "response head");
      if (n === null) throw new Error("Cannot read response: connection closed");
      bytes = new Uint8Array([...bytes, ...buffer.subarray(0, n)]);
    }
    const head = parseResponseHead(bytes.subarray(0, findHeadEnd(bytes)));
    return { status: head.status, headers: head.headers };
  } finally {
    tcp.close();
  }
}

async function _withServer(
  harness: Harness,
  options: ListenOptions,
  fn: (port: number) => Promise<void>,
): Promise<void> {
  const server = await harness.listen!(echo, options);
  try {
    await withTimeout(fn(server.port), 5_000, "handshake case");
  } finally {
    await server.close();
  }
}

const _KEY = "dGhlIHNhbXBsZSBub25jZQ==";
const _REFUSALS: [string, string, number, [string, string]?][] = [
  ["version 8", upgradeRequest(_KEY).replace("Version: 13", "Version: 8"), 426, [
    "sec-websocket-version",
    "13",
  ]],
  ["no version", upgradeRequest(_KEY).replace("Sec-WebSocket-Version: 13\r\n", ""), 426, [
    "sec-websocket-version",
    "13",
  ]],
  ["a key of 11 bytes", upgradeRequest("dGhlIHNhbXBsZQ=="), 400],
  ["a key that is not base64", upgradeRequest("!!!!!!!!!!!!!!!!!!!!!!=="), 400],
  ["no key", upgradeRequest(_KEY).replace(`Sec-WebSocket-Key: ${_KEY}\r\n`, ""), 400],
  [
    "POST",
    // No Content-Length: Deno.serve itself refuses an upgrade request that announces a body.
    upgradeRequest(_KEY).replace("GET", "POST"),
    405,
    ["allow", "GET"],
  ],
  [
    "Connection without the upgrade token",
    upgradeRequest(_KEY).replace("Connection: Upgrade", "Connection: keep-alive"),
    400,
  ],
  // A body would be read as the client's first frames.
  ["a body (Content-Length: 5)", upgradeRequest(_KEY, ["Content-Length: 5"]) + "hello", 400],
  [
    "a chunked body",
    upgradeRequest(_KEY, ["Transfer-Encoding: chunked"]) + "5\r\nhello\r\n0\r\n\r\n",
    400,
  ],
];

Deno.test("Handshake 10.1 a valid upgrade request is answered 101 with the right accept key", async (t) => {
  for (const harness of SERVERS) {
    await t.step(harness.name, () =>
      _withServer(harness, {}, async (port) => {
        const key = generateKey();
        const tcp = await Deno.connect({ hostname: "127.0.0.1", port });
        try {
          await tcp.write(_encoder.encode(upgradeRequest(key)));
          const buffer = new Uint8Array(4096);
          const n = await withTimeout(tcp.read(buffer), 3_000, "101");
          const head = parseResponseHead(
            buffer.subarray(0, findHeadEnd(buffer.subarray(0, n ?? 0))),
          );
          assert.equal(head.status, 101);
          assert.equal(head.headers.get("sec-websocket-accept"), computeAcceptKey(key));
          assert.match(head.headers.get("upgrade") ?? "", /^websocket$/i);
        } finally {
          tcp.close();
        }
      }));
  }
});

for (const [i, [label, request, status, header]] of _REFUSALS.entries()) {
  Deno.test(`Handshake 10.${i + 2} an upgrade request with ${label} is refused with ${status}`, async (t) => {
    for (const harness of SERVERS) {
      await t.step(harness.name, () =>
        _withServer(harness, {}, async (port) => {
          const answer = await _ask(port, request);
          assert.equal(answer.status, status);
          if (header !== undefined) assert.equal(answer.headers.get(header[0]), header[1]);
        }));
    }
  });
}

Deno.test("Handshake 10.19 an upgrade request with Content-Length: 0 is answered 101 (by the native engine, 400)", async (t) => {
  // The JDK's WebSocket client sends `Content-Length: 0` with its upgrade request. Deno.serve
  // answers 400 to any upgrade request with a Content-Length before a handler sees it.
  for (const harness of SERVERS) {
    await t.step(harness.name, () =>
      _withServer(harness, {}, async (port) => {
        const answer = await _ask(port, upgradeRequest(_KEY, ["Content-Length: 0"]));
        assert.equal(answer.status, harness === nativeHarness ? 400 : 101);
      }));
  }
});

Deno.test("Handshake 10.20 a plain HTTP request is answered 426 Upgrade Required", async (t) => {
  for (const harness of SERVERS) {
    await t.step(harness.name, () =>
      _withServer(harness, {}, async (port) => {
        const answer = await _ask(
          port,
          "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        );
        assert.equal(answer.status, 426);
      }));
  }
});

Deno.test("Handshake 10.21 a peer that sends its head too slowly is dropped (slowloris)", async (t) => {
  for (const harness of SERVERS) {
    // Not run where the server leaves head timeouts to another layer (`Deno.serve`).
    if (harness.handshakeTimeout !== true) continue;
    await t.step(
      harness.name,
      () =>
        _withServer(harness, { handshakeTimeout: 300 }, async (port) => {
          const tcp = await Deno.connect({ hostname: "127.0.0.1", port });
          try {
            const started = Date.now();
            const request = _encoder.encode(upgradeRequest(generateKey()));
            // A byte every 50 ms: the head would take far longer than the timeout.
            let closed = false;
            const reading = tcp.read(new Uint8Array(1024)).then(
              (n) => (closed = n === null),
              () => (closed = true),
            );
            for (let i = 0; i < request.length && !closed; i++) {
              await tcp.write(request.subarray(i, i + 1)).catch(() => (closed = true));
              await delay(50);
              if (Date.now() - started > 2_000) break;
            }
            await withTimeout(reading, 1_000, "server to drop the peer");
            assert.equal(closed, true, "the server closed the connection without an answer");
            const elapsed = Date.now() - started;
            assert.ok(elapsed >= 250 && elapsed < 1_500, `dropped after ${elapsed} ms`);
          } finally {
            tcp.close();
          }
        }),
    );
  }
});
