// permessage-deflate over real sockets on 127.0.0.1: our client and our streams server with every
// parameter combination, the `ws` package as a foreign client and server, and the echo example.
import assert from "node:assert/strict";
import { WebSocket as WsClient, WebSocketServer } from "ws";
import { connect, HandshakeRefusedError } from "../../src/client/mod.ts";
import { perMessageDeflate, type PerMessageDeflateOptions } from "../../src/extensions/mod.ts";
import { serve } from "../../src/server/mod.ts";
import { clientRequests, sampleMessages, spy, take, type WireCounts } from "./_net.ts";

const counts = (): WireCounts => ({ sent: 0, received: 0, responses: [] });
const expected = (data: string | Uint8Array) =>
  typeof data === "string" ? { type: "text", data } : { type: "binary", data };

/** Connects our client with `request`, round-trips the sample messages, closes cleanly. */
async function roundTrip(url: string, request: PerMessageDeflateOptions, client: WireCounts) {
  const conn = await connect(url, {
    extensions: [spy(perMessageDeflate({ ...request, threshold: 0 }), client)],
  });
  const messages = sampleMessages();
  for (const message of messages) conn.send(message);
  assert.deepEqual(await take(conn, messages.length), messages.map(expected));
  const extensions = conn.info.extensions;
  conn.close();
  assert.equal((await conn.closed).wasClean, true);
  return extensions;
}

Deno.test("our client and streams server negotiate and use every parameter combination", async () => {
  const policies: PerMessageDeflateOptions[] = [
    {},
    { serverNoContextTakeover: true, clientNoContextTakeover: true },
    { serverMaxWindowBits: 10, clientMaxWindowBits: 9 },
  ];
  for (const policy of policies) {
    const server = counts();
    await using listener = serve({
      hostname: "127.0.0.1",
      port: 0,
      extensions: [spy(perMessageDeflate({ ...policy, threshold: 0 }), server)],
    }, async (conn) => {
      for await (const message of conn) conn.send(message.data);
    });
    for (const request of clientRequests()) {
      const label = `${JSON.stringify(policy)} ${JSON.stringify(request)}`;
      const client = counts();
      const before = { ...server };
      const extensions = await roundTrip(listener.url, request, client);
      assert.deepEqual(extensions, ["permessage-deflate"], label);
      // Each side compresses unless its window was limited to 8 bits (see docs/COMPRESSION.md).
      const clientCompresses = request.clientMaxWindowBits !== 8;
      const serverCompresses = request.serverMaxWindowBits !== 8;
      assert.equal(client.sent > 0, clientCompresses, label);
      assert.equal(server.received - before.received, client.sent, label);
      assert.equal(server.sent - before.sent > 0, serverCompresses, label);
      assert.equal(client.received, server.sent - before.sent, label);
    }
  }
});

Deno.test("a ws client with perMessageDeflate talks to our streams server", async () => {
  const server = counts();
  await using listener = serve({
    hostname: "127.0.0.1",
    port: 0,
    extensions: [spy(perMessageDeflate({ threshold: 0 }), server)],
  }, async (conn) => {
    for await (const message of conn) conn.send(message.data);
  });
  for (const request of clientRequests()) {
    const label = JSON.stringify(request);
    const before = { ...server };
    const ws = new WsClient(listener.url, {
      // Without clientMaxWindowBits, ws offers client_max_window_bits without a value.
      perMessageDeflate: { ...request, threshold: 0 },
    });
    const replies: unknown[] = [];
    const messages = sampleMessages();
    const done = new Promise<void>((resolve, reject) => {
      ws.on("error", reject);
      ws.on("message", (data, isBinary) => {
        const bytes = new Uint8Array(data as Uint8Array);
        replies.push(expected(isBinary ? bytes : new TextDecoder().decode(bytes)));
        if (replies.length === messages.length) resolve();
      });
    });
    await new Promise((resolve, reject) => (ws.once("open", resolve), ws.once("error", reject)));
    assert.match(ws.extensions, /^permessage-deflate/, label);
    for (const message of messages) ws.send(message, { binary: typeof message !== "string" });
    await done;
    assert.deepEqual(replies, messages.map(expected), label);
    const closed = new Promise<number>((resolve) => ws.once("close", resolve));
    ws.close(1000);
    assert.equal(await closed, 1000);
    // ws compresses every message at threshold 0, even with an 8-bit window (as 9 bits).
    assert.ok(server.received - before.received >= messages.length - 1, label);
    assert.equal(server.sent - before.sent > 0, request.serverMaxWindowBits !== 8, label);
  }
  assert.equal(server.responses.length, clientRequests().length);
});

Deno.test("our client talks to a ws server with perMessageDeflate", async () => {
  const policies = [
    {},
    { serverNoContextTakeover: true },
    { clientNoContextTakeover: true },
    { serverMaxWindowBits: 10 },
    { clientMaxWindowBits: 9 },
    { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 9 },
  ];
  for (const policy of policies) {
    const wss = new WebSocketServer({
      host: "127.0.0.1",
      port: 0,
      perMessageDeflate: { ...policy, threshold: 0 },
    });
    await new Promise((resolve) => wss.once("listening", resolve));
    wss.on("connection", (socket) => {
      socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }));
    });
    const { port } = wss.address() as { port: number };
    try {
      let negotiated = 0;
      for (const request of clientRequests()) {
        const label = `${JSON.stringify(policy)} ${JSON.stringify(request)}`;
        const client = counts();
        let extensions: string[];
        try {
          extensions = await roundTrip(`ws://127.0.0.1:${port}/`, request, client);
        } catch (error) {
          // ws refuses the handshake (400) instead of declining an offer whose window it will
          // not go down to; nothing else may fail.
          assert.ok(error instanceof HandshakeRefusedError && error.status === 400, label);
          assert.ok(_wsRefuses(policy, request), label);
          continue;
        }
        assert.ok(!_wsRefuses(policy, request), label);
        if (extensions.length === 0) continue;
        negotiated++;
        assert.equal(client.sent > 0, request.clientMaxWindowBits !== 8, label);
        assert.ok(client.received > 0, label);
      }
      assert.ok(negotiated > 0);
    } finally {
      for (const socket of wss.clients) socket.terminate();
      await new Promise((resolve) => wss.close(resolve));
    }
  }
});

function _wsRefuses(policy: PerMessageDeflateOptions, request: PerMessageDeflateOptions): boolean {
  const below = (mine?: number, theirs?: number) =>
    mine !== undefined && theirs !== undefined && mine > theirs;
  return below(policy.serverMaxWindowBits, request.serverMaxWindowBits) ||
    below(policy.clientMaxWindowBits, request.clientMaxWindowBits);
}

Deno.test("examples/echo.ts --deflate accepts every offer and compresses its echoes", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "examples/echo.ts", "--port", "0", "--hostname", "127.0.0.1", "--deflate"],
    cwd: new URL("../..", import.meta.url),
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let head = "";
    while (!head.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("Cannot start the echo example: it exited");
      head += value;
    }
    reader.releaseLock();
    const url = head.match(/ws:\/\/\S+/)![0];
    for (const request of clientRequests()) {
      const client = counts();
      const extensions = await roundTrip(url, request, client);
      assert.deepEqual(extensions, ["permessage-deflate"]);
      // The example's threshold is the default 1024 bytes: the large messages come back
      // compressed unless the server's window was limited to 8 bits.
      assert.equal(client.received > 0, request.serverMaxWindowBits !== 8, JSON.stringify(request));
    }
  } finally {
    child.kill("SIGTERM");
    await child.stdout.cancel().catch(() => {});
    await child.status;
  }
});
