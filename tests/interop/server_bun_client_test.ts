// Our server, both engines, against Bun's built-in WebSocket client (native code we did not
// write), which offers permessage-deflate: the streams engine negotiates it and both directions
// really compress; the native engine answers without it. Text with 1- to 4-byte characters,
// empty messages, compressible and incompressible binary, 16 MiB, and a close code both ways;
// over TCP and over TLS (our native TLS listener, Bun's own TLS stack).
// The client (`_bun_client.ts`) prints what it received; every line is compared here. Without
// `bun` the tests fail under CI=true (.ci/run installs it) and are skipped with a message
// elsewhere.
import assert from "node:assert/strict";
import { IN_CI } from "../_chromium.ts";
import { perMessageDeflate } from "../../src/extensions/mod.ts";
import { ServerMetrics } from "../../src/observability/mod.ts";
import { jsonLikeText, noise } from "../extensions/_helpers.ts";
import { ENGINES, startOurServer } from "./_our_server.ts";
import { assertSameBytes, LARGE, largeText, pattern, UNICODE_TEXT, within } from "./_util.ts";

const CLIENT = new URL("./_bun_client.ts", import.meta.url).pathname;
// A self-signed certificate for 127.0.0.1 (see tests/client/connect_tls_test.ts).
const CERT_FILE = new URL("../fixtures/cert.pem", import.meta.url).pathname;
const TLS = {
  cert: Deno.readTextFileSync(CERT_FILE),
  key: Deno.readTextFileSync(new URL("../fixtures/key.pem", import.meta.url)),
};
const encoder = new TextEncoder();
const MIB = 1024 * 1024;

const HAS_BUN = await new Deno.Command("bun", {
  args: ["--version"],
  stdout: "null",
  stderr: "null",
})
  .output()
  .then((o) => o.success, () => false);
const SKIP_BUN = !HAS_BUN && !IN_CI;
if (SKIP_BUN) {
  console.warn("Bun client tests skipped: `bun` not found (with CI=true they fail instead).");
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// What the client prints for a payload: hex up to 1,024 bytes, otherwise its SHA-256 and length.
async function payload(bytes: Uint8Array): Promise<string> {
  if (bytes.length <= 1024) return hex(bytes);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return `sha256:${hex(digest)} length:${bytes.length}`;
}

// The messages, in the order they are sent.
const MESSAGES: (string | Uint8Array)[] = [
  UNICODE_TEXT,
  "",
  new Uint8Array([0, 1, 127, 128, 255]),
  new Uint8Array(0),
  jsonLikeText(MIB),
  largeText(4 * MIB),
  noise(256 * 1024),
  pattern(LARGE),
];

for (const engine of ENGINES) {
  for (const secure of [false, true]) {
    Deno.test({
      name: `Bun's WebSocket client exchanges messages and a close code with the ${engine} engine${
        secure ? " over TLS" : ""
      }`,
      ignore: SKIP_BUN,
      async fn() {
        assert.ok(HAS_BUN, "`bun` is missing: this test needs Bun (.ci/run installs it from npm)");
        const metrics = new ServerMetrics();
        await using server = startOurServer(engine, {
          extensions: engine === "streams" ? [perMessageDeflate()] : [],
          metrics,
          ...(secure ? { tls: TLS } : {}),
        });
        const url = `${secure ? server.wsBase.replace("ws:", "wss:") : server.wsBase}/echo`;
        const dir = await Deno.makeTempDir({ prefix: "aero-bun-client-" });
        try {
          for (const [i, message] of MESSAGES.entries()) {
            const name = `${String(i).padStart(3, "0")}.${
              typeof message === "string" ? "text" : "binary"
            }`;
            await Deno.writeFile(
              `${dir}/${name}`,
              typeof message === "string" ? encoder.encode(message) : message,
            );
          }
          const output = await within(
            new Deno.Command("bun", {
              args: [CLIENT, url, dir, ...(secure ? [CERT_FILE] : [])],
              stdout: "piped",
              stderr: "piped",
            }).output(),
            "Bun's client to finish",
            90_000,
          );
          const stdout = new TextDecoder().decode(output.stdout);
          assert.ok(
            output.success,
            `Bun's client failed:\n${stdout}\n${new TextDecoder().decode(output.stderr)}`,
          );
          const lines = stdout.split("\n");
          assert.equal(lines.pop(), "", "the output ends with a line break");

          const [open, ...rest] = lines;
          if (engine === "streams") assert.match(open!, /^open permessage-deflate(;|$)/);
          else assert.equal(open, "open ");
          const expected = [];
          for (const message of MESSAGES) {
            const bytes = typeof message === "string" ? encoder.encode(message) : message;
            expected.push(
              `${typeof message === "string" ? "text" : "binary"} ${await payload(bytes)}`,
            );
          }
          // The answer to a close carries the peer's code (RFC 6455 §5.5.1); Deno's WebSocket also
          // repeats the reason.
          expected.push(
            engine === "streams"
              ? "close 4001  true"
              : `close 4001 ${hex(encoder.encode("bye \u2713"))} true`,
          );
          assert.deepEqual(rest, expected);

          // The server's side: every message arrived whole and unchanged.
          for (const [i, message] of MESSAGES.entries()) {
            const got = await server.received.next(`message ${i} at the server`);
            if (typeof message === "string") {
              assert.ok(got.type === "text" && got.data === message, `message ${i} (text) differs`);
            } else {
              assert.equal(got.type, "binary", `message ${i}`);
              assertSameBytes(got.data, message, `message ${i}`);
            }
          }
          assert.deepEqual(await server.closes.next("the server's close"), {
            code: 4001,
            reason: "bye \u2713",
            wasClean: true,
          });

          // With permessage-deflate, both directions really compressed.
          if (engine === "streams") {
            assert.equal(server.connections.pending, 1);
            const conn = await server.connections.next();
            assert.deepEqual(conn.info.extensions, ["permessage-deflate"]);
            assert.ok(
              metrics.compressedBytesIn < metrics.uncompressedBytesIn / 2,
              `Bun compressed: ${metrics.compressedBytesIn} of ${metrics.uncompressedBytesIn} bytes`,
            );
            assert.ok(
              metrics.compressedBytesOut < metrics.uncompressedBytesOut / 2,
              `we compressed: ${metrics.compressedBytesOut} of ${metrics.uncompressedBytesOut} bytes`,
            );
          }
        } finally {
          await Deno.remove(dir, { recursive: true });
        }
      },
    });
  }
}
