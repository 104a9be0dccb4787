// connect() against a Deno.serve + Deno.upgradeWebSocket server: messages, close codes and
// subprotocol negotiation.
import assert from "node:assert/strict";
import { connect } from "../../src/client/mod.ts";
import { Connection, type WebSocketConnection } from "../../src/connection/mod.ts";
import type { Message } from "../../src/protocol/mod.ts";
import { startEchoServer } from "./_servers.ts";

async function take(conn: WebSocketConnection, count: number): Promise<Message[]> {
  const messages: Message[] = [];
  if (count === 0) return messages;
  for await (const message of conn) {
    messages.push(message);
    if (messages.length === count) break;
  }
  return messages;
}

async function closeClean(conn: WebSocketConnection): Promise<void> {
  conn.close();
  const info = await conn.closed;
  assert.equal(info.wasClean, true);
}

Deno.test("connect exchanges text, binary, empty and unicode messages with a Deno server", async () => {
  await using server = startEchoServer();
  const conn = await connect(`ws://127.0.0.1:${server.port}/`);
  assert.ok(conn instanceof Connection, "on Deno, connect runs our own pipeline");
  const bytes = new Uint8Array([0, 1, 2, 253, 254, 255]);
  conn.send("hello");
  conn.send(bytes);
  conn.send("");
  conn.send(new Uint8Array(0));
  conn.send("héllo wörld ✓ 𝄞 日本語 🎉");
  assert.deepEqual(await take(conn, 5), [
    { type: "text", data: "hello" },
    { type: "binary", data: bytes },
    { type: "text", data: "" },
    { type: "binary", data: new Uint8Array(0) },
    { type: "text", data: "héllo wörld ✓ 𝄞 日本語 🎉" },
  ]);
  await closeClean(conn);
});

Deno.test("connect round-trips a 16 MiB binary message", async () => {
  await using server = startEchoServer();
  const conn = await connect(`ws://127.0.0.1:${server.port}/`);
  const big = new Uint8Array(16 * 1024 * 1024);
  for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) & 0xff;
  big[big.length - 1] = 42;
  assert.equal(conn.send(big), true);
  const [message] = await take(conn, 1);
  assert.equal(message?.type, "binary");
  assert.equal(message.data.length, big.length);
  assert.ok(Buffer.compare(message.data as Uint8Array, big) === 0, "payload differs");
  await closeClean(conn);
});

Deno.test("connect delivers many messages in order", async () => {
  await using server = startEchoServer();
  const conn = await connect(`ws://127.0.0.1:${server.port}/`);
  const count = 2000;
  for (let i = 0; i < count; i++) conn.send(`message ${i}`);
  const messages = await take(conn, count);
  assert.deepEqual(
    messages.map((message) => message.data),
    Array.from({ length: count }, (_, i) => `message ${i}`),
  );
  await closeClean(conn);
});

Deno.test("connect reports the code and reason of a client-initiated close to the server", async () => {
  await using server = startEchoServer();
  const conn = await connect(`ws://127.0.0.1:${server.port}/`);
  const serverClose = server.nextClose();
  conn.close(4001, "client says bye");
  assert.deepEqual(await serverClose, { code: 4001, reason: "client says bye" });
  const info = await conn.closed;
  assert.equal(info.code, 4001);
  assert.equal(info.wasClean, true);
});

Deno.test("connect reports a server-initiated close with its code and reason", async () => {
  await using server = startEchoServer();
  const serverClose = server.nextClose();
  const conn = await connect(`ws://127.0.0.1:${server.port}/close?code=4002&reason=server%20bye`);
  assert.deepEqual(await Array.fromAsync(conn), []);
  const info = await conn.closed;
  assert.deepEqual({ ...info }, { code: 4002, reason: "server bye", wasClean: true });
  assert.equal((await serverClose).code, 4002);
});

Deno.test("connect negotiates the subprotocol the server chooses among those offered", async () => {
  await using server = startEchoServer();
  const conn = await connect(`ws://127.0.0.1:${server.port}/?protocol=superchat`, {
    protocols: ["chat", "superchat"],
  });
  assert.equal(conn.info.protocol, "superchat");
  assert.equal(server.lastHeaders?.get("sec-websocket-protocol"), "chat, superchat");
  assert.equal(conn.info.headers.get("sec-websocket-protocol"), "superchat");
  await closeClean(conn);
});

Deno.test("connect reports no subprotocol when the server chooses none", async () => {
  await using server = startEchoServer();
  const conn = await connect(`ws://127.0.0.1:${server.port}/`, { protocols: ["chat"] });
  assert.equal(conn.info.protocol, "");
  await closeClean(conn);
});

Deno.test("connect accepts http: URLs, sends custom headers and Origin, fills info", async () => {
  await using server = startEchoServer();
  const conn = await connect(`http://127.0.0.1:${server.port}/path?q=1#fragment`, {
    headers: { authorization: "Bearer abc", "x-trace": "1" },
    origin: "https://app.example",
    data: { user: "ada" },
  });
  assert.equal(server.lastHeaders?.get("authorization"), "Bearer abc");
  assert.equal(server.lastHeaders?.get("x-trace"), "1");
  assert.equal(server.lastHeaders?.get("origin"), "https://app.example");
  assert.equal(server.lastHeaders?.get("host"), `127.0.0.1:${server.port}`);
  assert.equal(conn.info.url, `ws://127.0.0.1:${server.port}/path?q=1`);
  assert.equal(conn.info.remoteAddress?.port, server.port);
  assert.deepEqual(conn.data, { user: "ada" });
  await closeClean(conn);
});

Deno.test("connect sends fragmented messages the server reassembles", async () => {
  await using server = startEchoServer();
  const conn = await connect(`ws://127.0.0.1:${server.port}/`, { fragmentSize: 7 });
  const text = "a message cut into many small frames ✓";
  conn.send(text);
  assert.deepEqual(await take(conn, 1), [{ type: "text", data: text }]);
  await closeClean(conn);
});

Deno.test("connect answers server pings and sends its own", async () => {
  await using server = startEchoServer();
  const conn = await connect(`ws://127.0.0.1:${server.port}/`, {
    keepalive: { pingInterval: 20, idleTimeout: 1_000 },
  });
  await new Promise((resolve) => setTimeout(resolve, 150));
  // Deno answers each ping with a pong, so the keepalive never times out.
  assert.equal(conn.readyState, 1);
  assert.equal(conn.ping("x"), true);
  await closeClean(conn);
});
