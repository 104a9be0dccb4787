// connect() with permessage-deflate against Bun's WebSocket server, when Bun is installed (.ci/run
// installs it from the npm registry): Bun's shared compressor (no context takeover either way)
// and its dedicated compressors (context takeover both ways), text and binary from empty to 4 MiB,
// compressed in both directions, large messages through the compression workers; the shared
// compressor also over TLS (Bun's TLS stack, our client's `caCerts`).
import assert from "node:assert/strict";
import { connect } from "../../src/client/mod.ts";
import { perMessageDeflate } from "../../src/extensions/mod.ts";
import { jsonLikeText } from "../extensions/_helpers.ts";
import { spy, take, type WireCounts } from "../extensions/_net.ts";
import { startPeerServer, TEST_TLS } from "./_util.ts";

const bun = await new Deno.Command("bun", { args: ["--version"], stdout: "piped", stderr: "null" })
  .output()
  .then((o) => o.success, () => false);
if (!bun) console.warn("skipping the Bun interop test: bun is not installed");

const SIZES = [0, 1, 125, 1024, 5000, 16 * 1024, 64 * 1024, 300_000, 4 * 1024 * 1024];

Deno.test({
  name:
    "our client talks permessage-deflate to Bun's server, shared and dedicated compressors, and over TLS",
  ignore: !bun,
  fn: async () => {
    await using server = await startPeerServer(
      "bun",
      [new URL("./_bun_deflate_echo.ts", import.meta.url).pathname],
      3,
      "Bun's server",
    );
    for (const [index, url] of server.urls.entries()) {
      const label = ["shared", "dedicated", "shared, over TLS"][index]!;
      const counts: WireCounts = { sent: 0, received: 0, responses: [] };
      const conn = await connect(url, {
        extensions: [spy(perMessageDeflate({ offloadSize: 4096 }), counts)],
        limits: { maxMessageSize: 16 * 1024 * 1024 },
        // Bun's TLS server presents the tests' self-signed certificate.
        caCerts: [TEST_TLS.cert],
      });
      assert.equal(conn.info.url, url, label);
      assert.deepEqual(conn.info.extensions, ["permessage-deflate"], label);
      const sent: (string | Uint8Array)[] = [];
      for (const [i, size] of SIZES.entries()) {
        sent.push(jsonLikeText(size, i));
        sent.push(new TextEncoder().encode(jsonLikeText(size, i + 100)));
      }
      for (const message of sent) assert.ok(conn.send(message), label);
      const echoes = await take(conn, sent.length);
      assert.equal(echoes.length, sent.length, label);
      for (const [i, echo] of echoes.entries()) {
        assert.deepEqual(echo.data, sent[i], `${label} message ${i}`);
      }
      // Everything at or above the 1 KiB threshold went out compressed, and Bun compressed too.
      const large = sent.filter((m) => m.length >= 1024).length;
      assert.equal(counts.sent, large, label);
      assert.ok(counts.received > 0, label);
      conn.close(1000, "bye");
      const info = await conn.closed;
      assert.equal(info.code, 1000, label);
      assert.ok(info.wasClean, label);
    }
  },
});
