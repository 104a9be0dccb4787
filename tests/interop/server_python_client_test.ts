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
import { IN_CI } from "../_chromium.ts";
import { ENGINES } from "./_our_server.ts";
import { hex, within } from "./_util.ts";

const PEER = new URL("./python/ws_peer.py", import.meta.url).pathname;
const PYTHON = "/usr/bin/python3";
const HAS_PEER = await new Deno.Command(PYTHON, {
  args: ["-c", "import websockets"],
  stdout: "null",
  stderr: "null",
}).output().then((o) => o.success, () => false);

const LIMIT = 1024 * 1024;

for (const engine of ENGINES) {
  for (const size of [2 * LIMIT, 40_000_000]) {
    Deno.test({
      name:
        `Python's websockets client gets 1009 from the ${engine} engine for ${size} bytes over a ${LIMIT}-byte limit`,
      ignore: !HAS_PEER && !IN_CI,
      async fn() {
        assert.ok(HAS_PEER, "this test needs Debian's python3-websockets for /usr/bin/python3");
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
        const output = await within(
          new Deno.Command(PYTHON, {
            args: [PEER, "oversize", server.url, String(size)],
            stdout: "piped",
            stderr: "piped",
          }).output(),
          "the Python client to finish",
          60_000,
        );
        const stdout = new TextDecoder().decode(output.stdout);
        assert.ok(output.success, `${stdout}\n${new TextDecoder().decode(output.stderr)}`);
        assert.equal(
          stdout,
          `close 1009 ${hex(new TextEncoder().encode("MESSAGE_TOO_BIG"))} true\n`,
        );
        assert.equal(delivered, 0);
      },
    });
  }
}

for (const engine of ENGINES) {
  Deno.test({
    name: `40 Python websockets clients at once exchange random messages with the ${engine} engine`,
    ignore: !HAS_PEER && !IN_CI,
    async fn() {
      assert.ok(HAS_PEER, "this test needs Debian's python3-websockets for /usr/bin/python3");
      await using server = serve({
        hostname: "127.0.0.1",
        port: 0,
        engine,
        extensions: engine === "streams" ? [perMessageDeflate({ offloadSize: 16 * 1024 })] : [],
      }, async (conn) => {
        for await (const message of conn) conn.send(message.data);
      });
      const output = await within(
        new Deno.Command(PYTHON, {
          args: [PEER, "soak", server.url, "40", "50"],
          stdout: "piped",
          stderr: "piped",
        }).output(),
        "the Python clients to finish",
        120_000,
      );
      const stdout = new TextDecoder().decode(output.stdout);
      assert.ok(output.success, `${stdout}\n${new TextDecoder().decode(output.stderr)}`);
      assert.equal(stdout, "ok 2000\n");
      // Every client completed its close handshake before it exited.
      for (let i = 0; i < 100 && server.connections > 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(server.connections, 0);
    },
  });
}
