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

const bun = await new Deno.Command("bun", { args: ["--version"], stdout: "piped", stderr: "null" })
  .output()
  .then((o) => o.success, () => false);
if (!bun) console.warn("skipping the Bun interop test: bun is not installed");

async function startBun(): Promise<{ urls: string[] } & AsyncDisposable> {
  const child = new Deno.Command("bun", {
    args: [new URL("./_bun_deflate_echo.ts", import.meta.url).pathname],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const deadline = setTimeout(() => child.kill("SIGKILL"), 20_000);
  while (text.split("\n").length < 4) {
    const { value, done } = await lines.read();
    if (done) throw new Error(`Cannot start Bun's server: it exited after ${JSON.stringify(text)}`);
    text += value;
  }
  clearTimeout(deadline);
  lines.releaseLock();
  return {
    urls: text.trim().split("\n"),
    async [Symbol.asyncDispose]() {
      child.kill("SIGTERM");
      await child.status;
      await child.stdout.cancel().catch(() => {});
    },
  };
}

// A self-signed certificate for 127.0.0.1 (see tests/client/connect_tls_test.ts), which Bun's TLS
// server presents.
const CERT = Deno.readTextFileSync(new URL("../fixtures/cert.pem", import.meta.url));

const SIZES = [0, 1, 125, 1024, 5000, 16 * 1024, 64 * 1024, 300_000, 4 * 1024 * 1024];

Deno.test({
  name:
    "our client talks permessage-deflate to Bun's server, shared and dedicated compressors, and over TLS",
  ignore: !bun,
  fn: async () => {
    await using server = await startBun();
    for (const [index, url] of server.urls.entries()) {
      const label = ["shared", "dedicated", "shared, over TLS"][index]!;
      const counts: WireCounts = { sent: 0, received: 0, responses: [] };
      const conn = await connect(url, {
        extensions: [spy(perMessageDeflate({ offloadSize: 4096 }), counts)],
        limits: { maxMessageSize: 16 * 1024 * 1024 },
        caCerts: [CERT],
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
