import assert from "node:assert/strict";
import { serve } from "../../mod.ts";
import { closeEvent, ENGINES, nextMessage, openWebSocket } from "./_helpers.ts";

const local = { hostname: "127.0.0.1", port: 0 } as const;
const COUNT = 5_000;

for (const engine of ENGINES) {
  Deno.test(`shutdown (${engine}) loses no message accepted by send() and closes with 1001`, async () => {
    let accepted = 0;
    const server = serve({ ...local, engine }, async (conn) => {
      for await (const message of conn) {
        if (message.data !== "go") continue;
        for (let i = 0; i < COUNT; i++) if (conn.send(`message ${i}`)) accepted++;
        // Shut down at once, with everything still queued.
        server.shutdown({ timeout: 5_000 });
      }
    });
    const ws = await openWebSocket(server.url);
    let received = 0;
    ws.addEventListener("message", (event) => {
      if (event.data === `message ${received}`) received++;
    });
    ws.send("go");
    const event = await closeEvent(ws);
    await server.finished;
    assert.equal(accepted, COUNT);
    assert.equal(received, COUNT);
    assert.equal(event.code, 1001);
    assert.equal(server.connections, 0);
  });
}

Deno.test("shutdown aborts a peer that never answers the close frame after the timeout", async () => {
  const server = serve({ ...local, closeTimeout: 10_000 }, () => {});
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  const key = "dGhlIHNhbXBsZSBub25jZQ==";
  await conn.write(new TextEncoder().encode(
    `GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  ));
  await conn.read(new Uint8Array(1024));
  while (server.connections === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  const started = Date.now();
  await server.shutdown({ timeout: 200 });
  const elapsed = Date.now() - started;
  assert.ok(elapsed < 2_000, `shutdown took ${elapsed} ms`);
  assert.equal(server.connections, 0);
  conn.close();
});

Deno.test("a server can be used with await using and is reusable on a new port", async () => {
  for (let i = 0; i < 2; i++) {
    await using server = serve(local, async (conn) => {
      for await (const message of conn) conn.send(message.data);
    });
    const ws = await openWebSocket(server.url);
    ws.send(`round ${i}`);
    assert.equal(await nextMessage(ws), `round ${i}`);
    ws.close();
    await closeEvent(ws);
  }
});
