// Python's `websockets` client against both engines, beyond the exchanges of
// server_runtime_clients_test.ts: many connections at once with messages of random size, kind and
// compressibility, every echo checked (permessage-deflate on the streams engine, compression
// workers included); and `limits.maxMessageSize`: a message over it ends the connection with 1009.
// With permessage-deflate, a 40 MB text that compresses to a few kilobytes is refused while it
// inflates, without the server ever holding it. Without Debian's python3-websockets the tests fail
// under CI=true and are skipped elsewhere.
import assert from "node:assert/strict";
import { perMessageDeflate } from "../../src/extensions/mod.ts";
import { serve } from "../../src/server/mod.ts";
import { ENGINES } from "./_our_server.ts";
import {
  HAS_PYTHON_WEBSOCKETS,
  NEEDS_PYTHON,
  PYTHON,
  PYTHON_PEER,
  SKIP_PYTHON,
} from "./_python.ts";
import { hex, runPeer } from "./_util.ts";

const LIMIT = 1024 * 1024;

for (const engine of ENGINES) {
  for (const size of [2 * LIMIT, 40_000_000]) {
    Deno.test({
      name:
        `Python's websockets client gets 1009 from the ${engine} engine for ${size} bytes over a ${LIMIT}-byte limit`,
      ignore: SKIP_PYTHON,
      async fn() {
        assert.ok(HAS_PYTHON_WEBSOCKETS, NEEDS_PYTHON);
        let delivered = 0;
        await using server = serve({
          hostname: "127.0.0.1",
          port: 0,
          engine,
          limits: { maxMessageSize: LIMIT },
          extensions: engine === "streams" ? [perMessageDeflate()] : [],
        }, async (conn) => {
          for await (const _ of conn) delivered++;
        });
        const lines = await runPeer(
          PYTHON,
          { args: [PYTHON_PEER, "oversize", server.url, String(size)] },
          "the Python client",
          60_000,
        );
        assert.deepEqual(lines, [
          `close 1009 ${hex(new TextEncoder().encode("MESSAGE_TOO_BIG"))} true`,
        ]);
        assert.equal(delivered, 0);
      },
    });
  }
}

for (const engine of ENGINES) {
  Deno.test({
    name: `40 Python websockets clients at once exchange random messages with the ${engine} engine`,
    ignore: SKIP_PYTHON,
    async fn() {
      assert.ok(HAS_PYTHON_WEBSOCKETS, NEEDS_PYTHON);
      await using server = serve({
        hostname: "127.0.0.1",
        port: 0,
        engine,
        extensions: engine === "streams" ? [perMessageDeflate({ offloadSize: 16 * 1024 })] : [],
      }, async (conn) => {
        for await (const message of conn) conn.send(message.data);
      });
      const lines = await runPeer(
        PYTHON,
        { args: [PYTHON_PEER, "soak", server.url, "40", "50"] },
        "the Python clients",
        120_000,
      );
      assert.deepEqual(lines, ["ok 2000"]);
      // Every client completed its close handshake before it exited.
      for (let i = 0; i < 100 && server.connections > 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(server.connections, 0);
    },
  });
}
