// connect() against the `ws` package's server (under Deno's Node compatibility): text, binary,
// fragmentation both ways, close codes both ways.
import assert from "node:assert/strict";
import { type WebSocket, WebSocketServer } from "ws";
import { connect } from "../../src/client/mod.ts";
import { perMessageDeflate } from "../../src/extensions/mod.ts";
import type { WebSocketConnection } from "../../src/connection/mod.ts";
import type { Message } from "../../src/protocol/mod.ts";

interface WsServer extends AsyncDisposable {
  port: number;
  nextClose(): Promise<{ code: number; reason: string }>;
}

// Paths: `/fragments` answers each message with the same data sent as three fragments;
// `/close` closes at once with 4004 "server bye"; anything else echoes.
async function startWsServer(perMessageDeflate = false): Promise<WsServer> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate });
  await new Promise<void>((resolve) => server.once("listening", resolve));
  let waiters: ((close: { code: number; reason: string }) => void)[] = [];
  const sockets = new Set<WebSocket>();
  server.on("connection", (socket, request) => {
    sockets.add(socket);
    socket.on("close", (code, reason) => {
      sockets.delete(socket);
      const current = waiters;
      waiters = [];
      for (const waiter of current) waiter({ code, reason: reason.toString() });
    });
    if (request.url === "/close") return socket.close(4004, "server bye");
    socket.on("message", (data, isBinary) => {
      const bytes = data as Uint8Array;
      if (request.url !== "/fragments") return socket.send(bytes, { binary: isBinary });
      const third = Math.ceil(bytes.length / 3);
      socket.send(bytes.subarray(0, third), { binary: isBinary, fin: false });
      socket.send(bytes.subarray(third, 2 * third), { binary: isBinary, fin: false });
      socket.send(bytes.subarray(2 * third), { binary: isBinary, fin: true });
    });
  });
  const address = server.address();
  assert.ok(typeof address === "object" && address !== null);
  return {
    port: address.port,
    nextClose: () => new Promise((resolve) => waiters.push(resolve)),
    async [Symbol.asyncDispose]() {
      for (const socket of sockets) socket.terminate();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function take(conn: WebSocketConnection, count: number): Promise<Message[]> {
  const messages: Message[] = [];
  for await (const message of conn) {
    messages.push(message);
    if (messages.length === count) break;
  }
  return messages;
}

Deno.test("connect exchanges text and binary messages with a ws server", async () => {
  await using server = await startWsServer();
  // The default maxBufferedAmount (16 MiB) would refuse 16 MiB queued behind other messages.
  const conn = await connect(`ws://127.0.0.1:${server.port}/`, {
    maxBufferedAmount: 32 * 1024 * 1024,
  });
  const big = new Uint8Array(16 * 1024 * 1024).map((_, i) => i % 251);
  conn.send("hello ws ✓");
  conn.send(new Uint8Array([1, 2, 3]));
  assert.equal(conn.send(big), true);
  const messages = await take(conn, 3);
  assert.deepEqual(messages.slice(0, 2), [
    { type: "text", data: "hello ws ✓" },
    { type: "binary", data: new Uint8Array([1, 2, 3]) },
  ]);
  assert.equal(messages[2]?.type, "binary");
  assert.ok(Buffer.compare(messages[2].data as Uint8Array, big) === 0);
  const serverClose = server.nextClose();
  conn.close();
  assert.equal((await serverClose).code, 1000);
  assert.equal((await conn.closed).wasClean, true);
});

Deno.test("connect reassembles fragmented messages from a ws server and fragments its own", async () => {
  await using server = await startWsServer();
  const conn = await connect(`ws://127.0.0.1:${server.port}/fragments`, { fragmentSize: 5 });
  const text = "fragmented both ways: ünïcödé across frame boundaries";
  conn.send(text);
  conn.send(new Uint8Array(1000).fill(9));
  assert.deepEqual(await take(conn, 2), [
    { type: "text", data: text },
    { type: "binary", data: new Uint8Array(1000).fill(9) },
  ]);
  conn.close();
  await conn.closed;
});

Deno.test("a ws server receives the client's close code and reason", async () => {
  await using server = await startWsServer();
  const conn = await connect(`ws://127.0.0.1:${server.port}/`);
  const serverClose = server.nextClose();
  conn.close(4003, "client bye");
  assert.deepEqual(await serverClose, { code: 4003, reason: "client bye" });
  const info = await conn.closed;
  assert.equal(info.code, 4003);
  assert.equal(info.wasClean, true);
});

Deno.test("connect reports a ws server's close code and reason", async () => {
  await using server = await startWsServer();
  const serverClose = server.nextClose();
  const conn = await connect(`ws://127.0.0.1:${server.port}/close`);
  const info = await conn.closed;
  assert.deepEqual({ ...info }, { code: 4004, reason: "server bye", wasClean: true });
  assert.equal((await serverClose).code, 4004);
});

Deno.test("connect negotiates permessage-deflate with a ws server and round-trips messages", async () => {
  await using server = await startWsServer(true);
  const conn = await connect(`ws://127.0.0.1:${server.port}/fragments`, {
    extensions: [perMessageDeflate()],
  });
  assert.deepEqual(conn.info.extensions, ["permessage-deflate"]);
  assert.equal(
    conn.info.headers.get("sec-websocket-extensions")?.startsWith("permessage-deflate"),
    true,
  );
  const text = "compressible ".repeat(1000);
  const bytes = new Uint8Array(100_000).map((_, i) => i % 7);
  conn.send(text);
  conn.send(bytes);
  conn.send("second message reuses the compression context");
  assert.deepEqual(await take(conn, 3), [
    { type: "text", data: text },
    { type: "binary", data: bytes },
    { type: "text", data: "second message reuses the compression context" },
  ]);
  conn.close();
  assert.equal((await conn.closed).wasClean, true);
});

Deno.test("connect offers permessage-deflate and goes on without it when the server declines", async () => {
  await using server = await startWsServer(false);
  const conn = await connect(`ws://127.0.0.1:${server.port}/`, {
    extensions: [perMessageDeflate()],
  });
  assert.deepEqual(conn.info.extensions, []);
  conn.send("plain");
  assert.deepEqual(await take(conn, 1), [{ type: "text", data: "plain" }]);
  conn.close();
  await conn.closed;
});
