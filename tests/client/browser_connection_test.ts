// BrowserConnection and the browser path of connect(), exercised with Deno's own platform
// WebSocket (the same WHATWG API browsers provide) against a Deno.upgradeWebSocket server.
import assert from "node:assert/strict";
import { BrowserConnection } from "../../src/client/mod.ts";
import { _connectBrowser } from "../../src/client/_connect_browser.ts";
import type { WebSocketConnection } from "../../src/connection/mod.ts";
import type { Message } from "../../src/protocol/mod.ts";
import { startEchoServer, startRawServer, waitForEof } from "./_servers.ts";

async function take(conn: WebSocketConnection, count: number): Promise<Message[]> {
  const messages: Message[] = [];
  for await (const message of conn) {
    messages.push(message);
    if (messages.length === count) break;
  }
  return messages;
}

Deno.test("BrowserConnection exchanges text, binary, empty and JSON messages", async () => {
  await using server = startEchoServer();
  const conn = await _connectBrowser(`ws://127.0.0.1:${server.port}/?protocol=chat`, {
    protocols: ["chat"],
    data: { room: 1 },
  });
  assert.ok(conn instanceof BrowserConnection);
  assert.equal(conn.readyState, 1);
  assert.equal(conn.info.protocol, "chat");
  assert.equal(conn.info.url, `ws://127.0.0.1:${server.port}/?protocol=chat`);
  assert.deepEqual(conn.data, { room: 1 });
  conn.send("text ✓");
  conn.send(new Uint8Array([1, 2, 3]));
  conn.send(new Uint8Array([4, 5]).buffer);
  conn.send("");
  conn.sendJson({ a: 1 });
  assert.deepEqual(await take(conn, 5), [
    { type: "text", data: "text ✓" },
    { type: "binary", data: new Uint8Array([1, 2, 3]) },
    { type: "binary", data: new Uint8Array([4, 5]) },
    { type: "text", data: "" },
    { type: "text", data: '{"a":1}' },
  ]);
  assert.equal(conn.ping(), false);
  await conn.drained();
  assert.equal(conn.bufferedAmount, 0);
  assert.equal(conn.droppedMessages, 0);
  conn.close(4000, "bye");
  assert.deepEqual(await conn.closed, { code: 4000, reason: "bye", wasClean: true });
  assert.equal(conn.readyState, 3);
  assert.equal(conn.send("late"), false);
});

Deno.test("BrowserConnection delivers messages in order through its readable stream", async () => {
  await using server = startEchoServer();
  const conn = await _connectBrowser(`ws://127.0.0.1:${server.port}/`, {});
  for (let i = 0; i < 500; i++) conn.send(`m${i}`);
  const reader = conn.readable.getReader();
  const seen: string[] = [];
  while (seen.length < 500) {
    const { value } = await reader.read();
    seen.push(value!.data as string);
  }
  reader.releaseLock();
  assert.deepEqual(seen, Array.from({ length: 500 }, (_, i) => `m${i}`));
  await conn[Symbol.asyncDispose]();
});

Deno.test("BrowserConnection reports a server-initiated close", async () => {
  await using server = startEchoServer();
  const conn = await _connectBrowser(
    `ws://127.0.0.1:${server.port}/close?code=4005&reason=server%20bye`,
    {},
  );
  assert.deepEqual(await Array.fromAsync(conn), []);
  assert.deepEqual(await conn.closed, { code: 4005, reason: "server bye", wasClean: true });
});

Deno.test("BrowserConnection sends codes the platform refuses as 1000 and validates close", async () => {
  await using server = startEchoServer();
  const conn = await _connectBrowser(`ws://127.0.0.1:${server.port}/`, {});
  assert.throws(() => conn.close(1005), RangeError);
  assert.throws(() => conn.close(1000, "x".repeat(124)), RangeError);
  const serverClose = server.nextClose();
  conn.close(1001, "going away");
  assert.deepEqual(await serverClose, { code: 1000, reason: "going away" });
  assert.equal((await conn.closed).code, 1000);
});

Deno.test("BrowserConnection applies the drop slow-consumer policy", async () => {
  await using server = startEchoServer();
  const conn = await _connectBrowser(`ws://127.0.0.1:${server.port}/`, {
    maxBufferedAmount: 10,
    slowConsumer: { policy: "drop" },
  });
  assert.equal(conn.send("x".repeat(11)), false);
  assert.equal(conn.droppedMessages, 1);
  assert.equal(conn.send("small"), true);
  assert.deepEqual(await take(conn, 1), [{ type: "text", data: "small" }]);
  conn.close();
  await conn.closed;
});

Deno.test("the browser path refuses options the platform WebSocket cannot honour", async () => {
  const url = "ws://127.0.0.1:9/";
  for (
    const options of [{ headers: { a: "b" } }, { origin: "https://x" }, { caCerts: [] }, {
      extensions: [],
    }]
  ) {
    await assert.rejects(_connectBrowser(url, options), {
      name: "TypeError",
      message: /is not available with the platform WebSocket$/,
    });
  }
  await assert.rejects(_connectBrowser("ftp://x/", {}), TypeError);
  await assert.rejects(_connectBrowser(url, { closeTimeout: -1 }), RangeError);
});

Deno.test("the browser path rejects a refused handshake with HandshakeError", async () => {
  await using server = startEchoServer();
  await assert.rejects(_connectBrowser(`ws://127.0.0.1:${server.port}/403`, {}), {
    name: "HandshakeError",
    message: "Cannot open WebSocket: the connection failed",
  });
});

Deno.test("the browser path times out and aborts, closing the socket", async () => {
  const closedByClient: Promise<void>[] = [];
  await using server = startRawServer((conn) => {
    const eof = waitForEof(conn);
    closedByClient.push(eof);
    return eof;
  });
  const url = `ws://127.0.0.1:${server.port}/`;
  await assert.rejects(_connectBrowser(url, { handshakeTimeout: 100 }), {
    name: "TimeoutError",
  });
  const reason = new Error("stop");
  const controller = new AbortController();
  setTimeout(() => controller.abort(reason), 50);
  await assert.rejects(_connectBrowser(url, { signal: controller.signal }), (e) => e === reason);
  await Promise.all(closedByClient);
});
