// permessage-deflate as Autobahn|Testsuite sections 12 and 13 exercise it, over the streams engine
// on 127.0.0.1: Autobahn's exact offers (13.1–13.7), and runs of messages from 16 bytes to 128 KiB
// walking through one text corpus (so context takeover matters), whole and auto-fragmented, from
// the `ws` package and from our client.
import assert from "node:assert/strict";
import { WebSocket as WsClient } from "ws";
import { connect } from "../../src/client/mod.ts";
import { perMessageDeflate, type PerMessageDeflateOptions } from "../../src/extensions/mod.ts";
import { generateKey, parseResponseHead } from "../../src/protocol/mod.ts";
import { serve, type Server } from "../../src/server/mod.ts";
import { spy, type WireCounts } from "./_net.ts";

// Autobahn's MSG_SIZES: payload length and auto-fragment size (0: one frame), scaled down from
// 1000 messages per size to a few.
const _SIZES: [length: number, fragment: number][] = [
  [16, 0],
  [64, 0],
  [256, 0],
  [1024, 0],
  [4096, 0],
  [8192, 0],
  [16384, 0],
  [32768, 0],
  [65536, 0],
  [131072, 0],
  [8192, 256],
  [65536, 256],
  [131072, 256],
  [131072, 1024],
  [131072, 4096],
  [131072, 32768],
];
const _PER_SIZE = 4;

// A JSON corpus a little over 256 KiB, so consecutive messages differ but share vocabulary.
const _CORPUS = new TextEncoder().encode(JSON.stringify(
  Array.from({ length: 2600 }, (_, i) => ({
    id: i,
    name: `item ${i % 97}`,
    tags: ["alpha", "beta", "γάμμα", "δέλτα"].slice(0, 1 + (i % 4)),
    value: (i * 7919) % 10007,
  })),
));

// Autobahn's sendOne: the next `length` bytes of the corpus, wrapping around. The corpus is ASCII
// apart from two-byte Greek letters, so cut points are moved back to a character boundary.
function* _messages(): Generator<{ text: string; fragment: number }> {
  let at = 0;
  for (const [length, fragment] of _SIZES) {
    for (let n = 0; n < _PER_SIZE; n++) {
      const bytes = new Uint8Array(length);
      for (let i = 0; i < length; i++) bytes[i] = _CORPUS[(at + i) % _CORPUS.length]!;
      at = (at + length) % _CORPUS.length;
      let end = length;
      while (end > 0 && (bytes[end - 1]! & 0xc0) === 0x80) end--;
      if (end > 0 && bytes[end - 1]! >= 0xc0) end--;
      const start = bytes.findIndex((b) => (b & 0xc0) !== 0x80);
      yield { text: new TextDecoder().decode(bytes.subarray(start, end)), fragment };
    }
  }
}

function _echoServer(counts: WireCounts, options: PerMessageDeflateOptions = {}): Server {
  return serve({
    hostname: "127.0.0.1",
    port: 0,
    extensions: [spy(perMessageDeflate(options), counts)],
  }, async (conn) => {
    for await (const message of conn) conn.send(message.data);
  });
}

const _counts = (): WireCounts => ({ sent: 0, received: 0, responses: [] });

// Autobahn's PerMessageDeflateOffer as a header value: it always offers client_no_context_takeover
// and client_max_window_bits, and requests server parameters per case.
function _offer(serverNoContextTakeover: boolean, serverMaxWindowBits: number): string {
  return [
    "permessage-deflate",
    "client_no_context_takeover",
    "client_max_window_bits",
    ...(serverNoContextTakeover ? ["server_no_context_takeover"] : []),
    ...(serverMaxWindowBits !== 0 ? [`server_max_window_bits=${serverMaxWindowBits}`] : []),
  ].join("; ");
}

const _OFFERS: [string, string[], string][] = [
  ["13.1", [_offer(false, 0)], "permessage-deflate; client_no_context_takeover"],
  [
    "13.2",
    [_offer(true, 0)],
    "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
  ],
  [
    "13.3",
    [_offer(false, 8)],
    "permessage-deflate; client_no_context_takeover; server_max_window_bits=8",
  ],
  [
    "13.4",
    [_offer(false, 15)],
    "permessage-deflate; client_no_context_takeover; server_max_window_bits=15",
  ],
  [
    "13.5",
    [_offer(true, 8)],
    "permessage-deflate; server_no_context_takeover; client_no_context_takeover; " +
    "server_max_window_bits=8",
  ],
  [
    "13.6",
    [_offer(true, 15)],
    "permessage-deflate; server_no_context_takeover; client_no_context_takeover; " +
    "server_max_window_bits=15",
  ],
  [
    "13.7",
    [_offer(true, 8), _offer(true, 0), _offer(false, 0)],
    "permessage-deflate; server_no_context_takeover; client_no_context_takeover; " +
    "server_max_window_bits=8",
  ],
];

// Sends an opening handshake with `offer` and returns the Sec-WebSocket-Extensions answer.
async function _negotiate(port: number, offer: string): Promise<string | null> {
  using tcp = await Deno.connect({ hostname: "127.0.0.1", port });
  const request = [
    "GET / HTTP/1.1",
    "Host: 127.0.0.1",
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Key: ${generateKey()}`,
    "Sec-WebSocket-Version: 13",
    `Sec-WebSocket-Extensions: ${offer}`,
    "",
    "",
  ].join("\r\n");
  await tcp.write(new TextEncoder().encode(request));
  const buffer = new Uint8Array(4096);
  let length = 0;
  let text = "";
  while (!text.includes("\r\n\r\n")) {
    const n = await tcp.read(buffer.subarray(length));
    if (n === null) throw new Error("Cannot negotiate: connection closed");
    length += n;
    text = new TextDecoder().decode(buffer.subarray(0, length));
  }
  const head = parseResponseHead(buffer.subarray(0, text.indexOf("\r\n\r\n") + 4));
  assert.equal(head.status, 101);
  return head.headers.get("sec-websocket-extensions");
}

Deno.test("perMessageDeflate answers Autobahn's 13.1–13.7 offers as RFC 7692 §7.1 requires", async () => {
  const counts = _counts();
  await using server = _echoServer(counts);
  for (const [section, offers, expected] of _OFFERS) {
    assert.equal(await _negotiate(server.addr.port, offers.join(", ")), expected, section);
  }
});

// Runs every message of `_messages()` through a ws client configured like an Autobahn offer.
async function _wsRun(url: string, options: Record<string, unknown>): Promise<string> {
  const ws = new WsClient(url, { perMessageDeflate: { threshold: 0, ...options } });
  await new Promise((resolve, reject) => (ws.once("open", resolve), ws.once("error", reject)));
  const replies: string[] = [];
  let wanted = 0;
  let wake = () => {};
  ws.on("message", (data, isBinary) => {
    assert.equal(isBinary, false);
    replies.push(new TextDecoder().decode(data as Uint8Array));
    wake();
  });
  for (const { text, fragment } of _messages()) {
    if (fragment === 0) {
      ws.send(text);
    } else {
      const bytes = new TextEncoder().encode(text);
      for (let i = 0; i < bytes.length; i += fragment) {
        ws.send(bytes.subarray(i, i + fragment), {
          binary: false,
          fin: i + fragment >= bytes.length,
        });
      }
    }
    wanted++;
    while (replies.length < wanted) await new Promise<void>((resolve) => (wake = resolve));
    assert.equal(replies[wanted - 1], text, `message ${wanted} (${text.length} chars)`);
  }
  const extensions = ws.extensions;
  const closed = new Promise<number>((resolve) => ws.once("close", resolve));
  ws.close(1000);
  assert.equal(await closed, 1000);
  return extensions;
}

Deno.test("a ws client offering like Autobahn 13.1–13.6 gets every 12/13 message echoed", async () => {
  const counts = _counts();
  await using server = _echoServer(counts);
  const cases: [string, Record<string, unknown>][] = [
    ["13.1", { clientNoContextTakeover: true }],
    ["13.2", { clientNoContextTakeover: true, serverNoContextTakeover: true }],
    ["13.3", { clientNoContextTakeover: true, serverMaxWindowBits: 8 }],
    ["13.4", { clientNoContextTakeover: true, serverMaxWindowBits: 15 }],
    ["13.5", {
      clientNoContextTakeover: true,
      serverNoContextTakeover: true,
      serverMaxWindowBits: 8,
    }],
    ["13.6", {
      clientNoContextTakeover: true,
      serverNoContextTakeover: true,
      serverMaxWindowBits: 15,
    }],
    ["12.x", {}],
    ["client_max_window_bits=9", { clientNoContextTakeover: true, clientMaxWindowBits: 9 }],
  ];
  for (const [label, options] of cases) {
    const before = { ...counts };
    const extensions = await _wsRun(server.url, options);
    assert.match(extensions, /^permessage-deflate/, label);
    assert.ok(counts.received > before.received, `${label}: the server inflated messages`);
    // The server compresses (its default threshold is 1024 bytes) unless limited to 8 bits.
    assert.equal(counts.sent > before.sent, options.serverMaxWindowBits !== 8, label);
  }
});

Deno.test("our client runs the 12/13 message sizes against our server, whole and fragmented", async () => {
  const counts = _counts();
  await using server = _echoServer(counts);
  const requests: PerMessageDeflateOptions[] = [
    {},
    { clientNoContextTakeover: true, clientMaxWindowBits: 9 },
    { serverNoContextTakeover: true, serverMaxWindowBits: 9 },
  ];
  for (const request of requests) {
    const client = _counts();
    const before = { ...counts };
    for (const fragmentSize of [undefined, 256]) {
      const conn = await connect(server.url, {
        extensions: [spy(perMessageDeflate({ threshold: 0, ...request }), client)],
        ...(fragmentSize === undefined ? {} : { fragmentSize }),
      });
      const iterator = conn[Symbol.asyncIterator]();
      for (const { text } of _messages()) {
        conn.send(text);
        const next = await iterator.next();
        assert.ok(!next.done);
        assert.equal(next.value.data, text, JSON.stringify(request));
      }
      conn.close();
      assert.equal((await conn.closed).wasClean, true);
    }
    assert.ok(client.sent > 0 && client.received > 0, JSON.stringify(request));
    assert.ok(counts.received > before.received, JSON.stringify(request));
  }
});
