// Large text frames are read into buffers shared by every connection of the process and reused
// once the text is a string (over sockets; in-memory transports get buffers of their own). Nothing
// any connection received may change because of it: binary messages the application still holds,
// and every text, must stay exactly as sent, while many large messages of both kinds cross several
// connections at once.
import assert from "node:assert/strict";
import { connect } from "../../src/client/mod.ts";
import { Connection } from "../../src/connection/mod.ts";
import type { Message } from "../../src/protocol/mod.ts";
import { serve } from "../../src/server/mod.ts";
import { createTransportPair } from "../../src/testing/mod.ts";

// The messages one sender sends: large text (ASCII and not) and large binary, interleaved, with
// content that differs per sender and per message, so that bytes from any other message show.
function script(sender: number): (string | Uint8Array)[] {
  const sizes = [70_000, 100_000, 1_023, 262_145, 65_537, 131_072, 40_000, 300_000];
  return sizes.map((size, i) => {
    const seed = sender * 31 + i * 7;
    if (i % 3 === 1) return Uint8Array.from({ length: size }, (_, k) => (k * 13 + seed) & 0xff);
    const unit = i % 2 === 0 ? String.fromCharCode(97 + (seed % 26)) : "é€" + String(seed);
    return unit.repeat(Math.ceil(size / unit.length)).slice(0, size) + `#${sender}.${i}`;
  });
}

// Fails with the first differing position, never with a dump of two large values.
function assertSameMessage(actual: Message, expected: string | Uint8Array, label: string): void {
  if (typeof expected === "string") {
    assert.equal(actual.type, "text", label);
    const data = actual.data as string;
    if (data === expected) return;
    let at = 0;
    while (at < data.length && data[at] === expected[at]) at++;
    assert.fail(`${label}: text differs at ${at} (lengths ${data.length}, ${expected.length})`);
  }
  assert.equal(actual.type, "binary", label);
  const data = actual.data as Uint8Array;
  assert.equal(data.length, expected.length, label);
  for (let at = 0; at < data.length; at++) {
    if (data[at] !== expected[at]) assert.fail(`${label}: binary differs at ${at}`);
  }
}

Deno.test("in-memory connections: large texts leave held binaries and each other intact", async () => {
  const pairs = Array.from({ length: 3 }, () => {
    const [a, b] = createTransportPair({ chunkSize: 16_384 });
    const keepalive = { pingInterval: 0 };
    return {
      server: new Connection(a, { role: "server", keepalive }),
      client: new Connection(b, { role: "client", keepalive }),
    };
  });
  // Every server keeps all it receives until all senders are done.
  const received = await Promise.all(pairs.map(async ({ server, client }, sender) => {
    const messages: Message[] = [];
    const sent = script(sender);
    const reading = (async () => {
      for await (const message of server) {
        messages.push(message);
        if (messages.length === sent.length) return;
      }
    })();
    for (const data of sent) {
      client.send(data);
      await client.drained();
    }
    await reading;
    return messages;
  }));
  for (let sender = 0; sender < pairs.length; sender++) {
    const sent = script(sender);
    assert.equal(received[sender]!.length, sent.length);
    sent.forEach((data, i) => assertSameMessage(received[sender]![i]!, data, `${sender}.${i}`));
  }
  for (const { server, client } of pairs) {
    client.close();
    await Promise.all([server.closed, client.closed]);
  }
});

Deno.test("sockets: echoes of large messages on concurrent connections are exact", async () => {
  // The server echoes each message at once; the clients send all of theirs without waiting.
  await using server = serve({ hostname: "127.0.0.1", port: 0 }, async (conn) => {
    for await (const message of conn) conn.send(message.data);
  });
  await Promise.all([0, 1, 2, 3].map(async (sender) => {
    await using client = await connect(server.url);
    const sent = script(sender);
    for (const data of sent) client.send(data);
    let i = 0;
    for await (const message of client) {
      assertSameMessage(message, sent[i]!, `${sender}.${i}`);
      if (++i === sent.length) break;
    }
    assert.equal(i, sent.length);
  }));
});

Deno.test("sockets: a server holding every message it received finds them all intact", async () => {
  const senders = [0, 1, 2];
  const held = new Map<number, Message[]>();
  let finished = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  await using server = serve({ hostname: "127.0.0.1", port: 0 }, async (conn) => {
    const sender = Number(new URL(conn.info.url ?? "/", "ws://x").searchParams.get("sender"));
    const messages: Message[] = [];
    held.set(sender, messages);
    for await (const message of conn) {
      messages.push(message);
      if (messages.length === script(sender).length) break;
    }
    if (++finished === senders.length) done();
  });
  const clients = await Promise.all(senders.map((s) => connect(`${server.url}?sender=${s}`)));
  // Interleaved: each client sends its next message in turn.
  for (let i = 0; i < 8; i++) clients.forEach((client, s) => client.send(script(s)[i]!));
  await all;
  for (const sender of senders) {
    const sent = script(sender);
    sent.forEach((data, i) => assertSameMessage(held.get(sender)![i]!, data, `${sender}.${i}`));
  }
  await Promise.all(clients.map(async (client) => {
    client.close();
    await client.closed;
  }));
});
