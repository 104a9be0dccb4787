import assert from "node:assert/strict";
import { serve } from "../../src/server/mod.ts";
import { ServerMetrics } from "../../src/observability/mod.ts";
import { until } from "../_until.ts";
import { closeEvent, nextMessage, openWebSocket } from "./_helpers.ts";

Deno.test("native engine: info.headers and readable first read after messages arrived", async () => {
  const metrics = new ServerMetrics();
  const server = serve(
    { port: 0, hostname: "127.0.0.1", engine: "native", metrics },
    async (conn) => {
      // At least three: the fourth may already have arrived when this looks.
      await until(() => metrics.messagesInText >= 3, "three messages received");
      const host = conn.info.headers.get("host");
      const seen: string[] = [];
      for await (const message of conn.readable) {
        seen.push(String(message.data));
        if (seen.length === 4) break;
      }
      conn.send(`${host} ${seen.join(",")}`);
    },
  );
  const ws = await openWebSocket(`ws://127.0.0.1:${server.addr.port}/`);
  for (const message of ["a", "b", "c"]) ws.send(message);
  await until(() => metrics.messagesInText === 3, "three messages received");
  ws.send("late");
  assert.equal(await nextMessage(ws), `127.0.0.1:${server.addr.port} a,b,c,late`);
  ws.close();
  await closeEvent(ws);
  await server.shutdown({ timeout: 500 });
});

Deno.test("native engine: a message is the bytes at send(), before and after the socket opens", async () => {
  const server = serve({ port: 0, hostname: "127.0.0.1", engine: "native" }, async (conn) => {
    const early = new Uint8Array([1, 2, 3]);
    conn.send(early); // Before the 101 is answered: held until the socket opens.
    early.fill(9);
    for await (const message of conn) {
      const bytes = message.data as Uint8Array;
      assert.equal(conn.send(bytes), true);
      bytes.fill(9);
      const buffer = new Uint8Array([4, 5]).buffer;
      conn.send(buffer);
      new Uint8Array(buffer).fill(9);
    }
  });
  const ws = await openWebSocket(`ws://127.0.0.1:${server.addr.port}/`);
  assert.deepEqual(new Uint8Array(await nextMessage(ws) as ArrayBuffer), new Uint8Array([1, 2, 3]));
  ws.send(new Uint8Array([7, 8]));
  assert.deepEqual(new Uint8Array(await nextMessage(ws) as ArrayBuffer), new Uint8Array([7, 8]));
  assert.deepEqual(new Uint8Array(await nextMessage(ws) as ArrayBuffer), new Uint8Array([4, 5]));
  ws.close();
  await closeEvent(ws);
  await server.shutdown({ timeout: 500 });
});

Deno.test("native engine: metrics count UTF-8 bytes of text and bytes of binary, both ways", async () => {
  const metrics = new ServerMetrics();
  const server = serve(
    { port: 0, hostname: "127.0.0.1", engine: "native", metrics },
    async (conn) => {
      for await (const message of conn) conn.send(message.data);
    },
  );
  const ws = await openWebSocket(`ws://127.0.0.1:${server.addr.port}/`);
  ws.binaryType = "arraybuffer";
  const long = "é".repeat(200) + "x".repeat(100); // over the length measured in JavaScript
  for (const message of ["héllo", long, long]) {
    ws.send(message);
    assert.equal(await nextMessage(ws), message);
  }
  ws.send(new Uint8Array([1, 2, 3]));
  assert.deepEqual(new Uint8Array(await nextMessage(ws) as ArrayBuffer), new Uint8Array([1, 2, 3]));
  await until(() => metrics.messagesOutBinary === 1, "the binary echo counted");
  const textBytes = 6 + 500 + 500;
  assert.deepEqual(
    [metrics.messagesInText, metrics.bytesInText, metrics.messagesOutText, metrics.bytesOutText],
    [3, textBytes, 3, textBytes],
  );
  assert.deepEqual(
    [
      metrics.messagesInBinary,
      metrics.bytesInBinary,
      metrics.messagesOutBinary,
      metrics.bytesOutBinary,
    ],
    [1, 3, 1, 3],
  );
  assert.deepEqual(
    [
      metrics.compressedBytesIn,
      metrics.uncompressedBytesIn,
      metrics.compressedBytesOut,
      metrics.uncompressedBytesOut,
    ],
    [0, 0, 0, 0],
  );
  ws.close();
  await closeEvent(ws);
  await server.shutdown({ timeout: 500 });
});
