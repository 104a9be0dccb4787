// Short text on a plain server connection is encoded straight into the outbound buffer, and a
// text frame that arrives whole is decoded straight from the read buffer. Both must be
// indistinguishable from the general paths: same bytes on the wire, same messages, same limits,
// same counts.
import assert from "node:assert/strict";
import { Connection } from "../../src/connection/mod.ts";
import { ServerMetrics } from "../../src/observability/mod.ts";
import { encodeFrame, fragmentMessage, type Frame, OPCODE } from "../../src/protocol/mod.ts";
import { createTransportPair } from "../../src/testing/mod.ts";
import { concat } from "../protocol/_split.ts";

const te = new TextEncoder();

// Reads `length` raw bytes from a transport's readable side.
async function readBytes(
  readable: ReadableStream<Uint8Array>,
  length: number,
): Promise<Uint8Array> {
  const reader = readable.getReader();
  const parts: Uint8Array[] = [];
  let got = 0;
  while (got < length) {
    const { value, done } = await reader.read();
    if (done) break;
    parts.push(value.slice());
    got += value.length;
  }
  reader.releaseLock();
  return concat(...parts);
}

const textFrame = (text: string): Frame => ({
  fin: true,
  rsv: 0,
  opcode: OPCODE.TEXT,
  payload: te.encode(text),
});

// ASCII and not, around the 7-bit/16-bit length boundary and the direct-encoding limit (256).
const TEXTS = [
  "",
  "a",
  "x".repeat(125),
  "x".repeat(126),
  "x".repeat(127),
  "y".repeat(255) + "é",
  "z".repeat(256),
  "z".repeat(257),
  "é" + "a".repeat(40),
  "a".repeat(40) + "€",
  "a".repeat(63) + "\u{1f600}",
  "\u007f\u0000 control bytes stay",
  // Past the direct path: the platform encoder into the shared scratch buffer, which grows from
  // 64 KiB for longer text, and a buffer of its own for text that does not fit it.
  "a".repeat(33),
  "b".repeat(1_000),
  "é".repeat(1_000),
  "\u{1f600} four bytes first " + "c".repeat(40),
  "d".repeat(70_000),
  "e".repeat(70_000) + "€",
  "€".repeat(50_000),
  "f".repeat(300),
];

Deno.test("send writes text as encodeFrame would, ASCII or not, at every length boundary", async () => {
  const [a, b] = createTransportPair();
  const server = new Connection(a, { role: "server", keepalive: { pingInterval: 0 } });
  for (const text of TEXTS) assert.equal(server.send(text), true);
  const expected = concat(...TEXTS.map((text) => encodeFrame(textFrame(text))));
  assert.equal(server.bufferedAmount, expected.length);
  assert.deepEqual(await readBytes(b.readable, expected.length), expected);
  server.close();
  b.close();
  await server.closed;
});

Deno.test("send fragments text when fragmentSize asks for it, below the direct-encoding limit too", async () => {
  for (const fragmentSize of [10, 100, 300]) {
    const [a, b] = createTransportPair();
    const server = new Connection(a, {
      role: "server",
      fragmentSize,
      keepalive: { pingInterval: 0 },
    });
    const texts = ["x".repeat(5), "x".repeat(200), "é".repeat(60), "z".repeat(256)];
    for (const text of texts) server.send(text);
    const expected = concat(
      ...texts.flatMap((text) =>
        [...fragmentMessage(OPCODE.TEXT, te.encode(text), { fragmentSize })].map((f) =>
          encodeFrame(f)
        )
      ),
    );
    assert.deepEqual(await readBytes(b.readable, expected.length), expected, `${fragmentSize}`);
    server.close();
    b.close();
    await server.closed;
  }
});

Deno.test("the slow-consumer limit counts text by its UTF-8 size on the direct path too", async () => {
  const [a, b] = createTransportPair();
  const server = new Connection(a, {
    role: "server",
    maxBufferedAmount: 100,
    slowConsumer: { policy: "drop" },
    keepalive: { pingInterval: 0 },
  });
  // Nothing is written until the current turn ends, so everything below stays buffered.
  assert.equal(server.send("x".repeat(60)), true); // 62 bytes
  assert.equal(server.send("x".repeat(60)), false); // 62 + 60 > 100
  // 30 characters would fit, but they are 60 bytes of UTF-8.
  assert.equal(server.send("é".repeat(30)), false);
  assert.equal(server.send("x".repeat(38)), true); // 62 + 38 = 100
  assert.equal(server.droppedMessages, 2);
  assert.equal(server.bufferedAmount, 62 + 40);
  server.close();
  b.close();
  await server.closed;
});

Deno.test("short text is counted and delivered the same on both directions' fast paths", async () => {
  const metrics = new ServerMetrics();
  const [a, b] = createTransportPair();
  const server = new Connection(a, { role: "server", metrics, keepalive: { pingInterval: 0 } });
  const client = new Connection(b, { role: "client", keepalive: { pingInterval: 0 } });
  (async () => {
    for await (const message of server) server.send(message.data);
  })();
  for (const text of TEXTS) client.send(text);
  const echoed: string[] = [];
  for await (const message of client) {
    assert.equal(message.type, "text");
    echoed.push(message.data as string);
    if (echoed.length === TEXTS.length) break;
  }
  assert.deepEqual(echoed, TEXTS);
  const bytes = TEXTS.reduce((n, text) => n + te.encode(text).length, 0);
  assert.equal(metrics.messagesInText, TEXTS.length);
  assert.equal(metrics.bytesInText, bytes);
  assert.equal(metrics.messagesOutText, TEXTS.length);
  assert.equal(metrics.bytesOutText, bytes);
  client.close();
  await Promise.all([client.closed, server.closed]);
});

Deno.test("a whole text frame inside a fragmented message, or over the limit, still fails the connection", async () => {
  const cases: { frames: Frame[]; code: number }[] = [
    {
      frames: [{ ...textFrame("start"), fin: false }, textFrame("not a continuation")],
      code: 1002,
    },
    { frames: [textFrame("x".repeat(33))], code: 1009 },
    { frames: [{ ...textFrame(""), payload: new Uint8Array([0x61, 0xc3]) }], code: 1007 },
  ];
  for (const { frames, code } of cases) {
    const [a, b] = createTransportPair();
    const server = new Connection(a, {
      role: "server",
      limits: { maxMessageSize: 32 },
      closeTimeout: 100,
      keepalive: { pingInterval: 0 },
    });
    const writer = b.writable.getWriter();
    await writer.write(concat(...frames.map((f) => encodeFrame(f, { mask: true }))));
    const messages: unknown[] = [];
    for await (const message of server) messages.push(message);
    assert.deepEqual(messages, []);
    assert.equal((await server.closed).code, code);
    await writer.close().catch(() => {});
    b.close();
  }
});

Deno.test("short ASCII replies stay exact across many slabs and writes", async () => {
  // Bursts of about two slabs of short frames each, with writes completing in between, so
  // that the outbound moves to new slabs (and reuses released ones) between and within bursts.
  const [a, b] = createTransportPair({ chunkSize: 4096 });
  const keepalive = { pingInterval: 0 };
  const server = new Connection(a, { role: "server", keepalive });
  const client = new Connection(b, { role: "client", keepalive });
  const texts = Array.from({ length: 12_000 }, (_, i) => `m${i}-${"abcdefghij".slice(i % 10)}`);
  const received: string[] = [];
  const reading = (async () => {
    for await (const message of client) {
      received.push(message.data as string);
      if (received.length === texts.length) return;
    }
  })();
  for (let i = 0; i < texts.length; i++) {
    assert.ok(server.send(texts[i]!));
    if (i % 6_000 === 5_999) await server.drained();
  }
  await reading;
  assert.equal(received.length, texts.length);
  for (let i = 0; i < texts.length; i++) {
    if (received[i] !== texts[i]) assert.fail(`message ${i}: ${received[i]} != ${texts[i]}`);
  }
  client.close();
  await Promise.all([server.closed, client.closed]);
});
