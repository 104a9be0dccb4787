import assert from "node:assert/strict";
import { Security } from "../../src/security/mod.ts";
import { ENGINES, open, startServer } from "../auth/_server.ts";

for (const engine of ENGINES) {
  Deno.test(`Security (${engine}) limits and disconnects a flooder while others keep working`, async () => {
    const security = new Security({
      bans: false,
      rateLimits: {
        upgradesPerIp: null,
        messagesPerConnection: { capacity: 200, interval: 1_000 },
      },
    });
    await using server = startServer(engine, security);
    const flooder = await open(server.base);
    const others = await Promise.all([open(server.base), open(server.base), open(server.base)]);
    // This isolate's heap and buffers (client and server both live here); not RSS, which the
    // other test files running in parallel in the same process share.
    const memory = () => {
      const { heapUsed, external } = Deno.memoryUsage();
      return heapUsed + external;
    };
    const before = memory();
    // The flooder sends far more than its budget without reading anything back.
    const payload = "x".repeat(512);
    for (let i = 0; i < 5_000 && flooder.conn.readyState === 1; i++) {
      flooder.conn.send(payload);
      if (i % 500 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    // Meanwhile the others exchange messages within their budget and see no error.
    for (let round = 0; round < 20; round++) {
      for (const { conn } of others) {
        conn.send(`round ${round}`);
        const iterator = conn[Symbol.asyncIterator]();
        assert.deepEqual((await iterator.next()).value, { type: "text", data: `round ${round}` });
      }
    }
    const closed = await flooder.conn.closed;
    // The streams engine's close frame reaches the flooder. Deno's native WebSocket closes a socket
    // with unread input, so the kernel may answer the flood with a reset (1006) instead.
    assert.ok(
      engine === "streams" ? closed.code === 1008 : [1008, 1006].includes(closed.code),
      `closed with ${closed.code}`,
    );
    assert.equal(security.counters.messagesLimited, 1);
    for (const { conn } of others) assert.equal(conn.readyState, 1);
    // Bounded: the server did not buffer the flood (far below 5000 × 512 B per connection kept).
    const growth = memory() - before;
    assert.ok(growth < 64 * 1024 * 1024, `heap and buffers grew by ${growth} bytes`);
    for (const { conn } of others) {
      conn.close();
      const info = await conn.closed;
      assert.equal(info.code, 1000);
    }
  });
}
