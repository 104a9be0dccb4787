// Our server, both engines, against WebSocket clients of other runtimes and languages that we did
// not write: Bun's built-in client (which offers permessage-deflate: the streams engine negotiates
// it and both directions really compress; the native engine answers without it), Node's (undici's,
// behind `--experimental-websocket` in Node 20) and Python's `websockets` library (Debian's
// python3-websockets). Text with 1- to 4-byte characters, empty messages, compressible and
// incompressible binary, 16 MiB, and a close code both ways, then shutdown without loss; over TCP
// and over TLS (our native TLS listeners, each client's own TLS stack). The clients
// (`_web_client.mjs` for Bun and Node, `python/ws_peer.py`, each with the same two modes) print
// what they received; every line is compared here. Without one of them the tests fail under CI=true (.ci/run installs
// Bun and python3-websockets; Node comes with the machine) and are skipped with a message elsewhere.
import assert from "node:assert/strict";
import { IN_CI } from "../_chromium.ts";
import { perMessageDeflate, type PerMessageDeflateOptions } from "../../src/extensions/mod.ts";
import { ServerMetrics } from "../../src/observability/mod.ts";
import { jsonLikeText, noise } from "../extensions/_helpers.ts";
import { serve } from "../../src/server/mod.ts";
import { ENGINES, startOurServer } from "./_our_server.ts";
import { HAS_PYTHON_WEBSOCKETS, PYTHON, PYTHON_PEER } from "./_python.ts";
import {
  assertSameBytes,
  hex,
  LARGE,
  largeText,
  pattern,
  printedPayload,
  runPeer,
  TEST_TLS,
  UNICODE_TEXT,
  within,
} from "./_util.ts";

const CLIENT = new URL("./_web_client.mjs", import.meta.url).pathname;
const encoder = new TextEncoder();
const MIB = 1024 * 1024;

interface Runtime {
  name: string;
  /**
   * The server's permessage-deflate settings for it: undici refuses to inflate a message of more
   * than 4 MiB ("Max decompressed message size exceeded") and fails the connection, so larger
   * messages go to it uncompressed.
   */
  deflate: PerMessageDeflateOptions;
  /** Whether its client compresses what it sends once permessage-deflate is negotiated. */
  compresses: boolean;
  /** Whether its echo client pings after the echoes (and prints "pong"). */
  pings: boolean;
  /**
   * How to run its client in `kind` mode (as `_web_client.mjs` defines them) with `args`; `ca` is
   * the certificate to trust.
   */
  command(
    kind: "echo" | "shutdown",
    args: string[],
    ca: string | undefined,
  ): Pick<Deno.CommandOptions, "args" | "env"> & { cmd: string };
  available: boolean;
}

async function found(cmd: string): Promise<boolean> {
  return await new Deno.Command(cmd, { args: ["--version"], stdout: "null", stderr: "null" })
    .output()
    .then((o) => o.success, () => false);
}

const RUNTIMES: Runtime[] = [
  {
    name: "Bun",
    deflate: {},
    compresses: true,
    available: await found("bun"),
    pings: false,
    command: (kind, args, ca) => ({
      cmd: "bun",
      args: [CLIENT, kind, ...args, ...(ca ? [ca] : [])],
    }),
  },
  {
    name: "Node (undici)",
    deflate: { maxCompressSize: 4 * MIB },
    // undici inflates what it receives but sends every message uncompressed (allowed).
    compresses: false,
    available: await found("node"),
    // Node's WebSocket has no TLS options: it trusts NODE_EXTRA_CA_CERTS as well.
    pings: false,
    command: (kind, args, ca) => ({
      cmd: "node",
      args: ["--experimental-websocket", "--no-warnings", CLIENT, kind, ...args],
      env: ca ? { NODE_EXTRA_CA_CERTS: ca } : {},
    }),
  },
  {
    // Debian's python3-websockets (10.4), on Debian's own Python.
    name: "Python (websockets)",
    deflate: {},
    compresses: true,
    available: HAS_PYTHON_WEBSOCKETS,
    pings: true,
    command: (kind, args, ca) => ({
      cmd: PYTHON,
      args: [PYTHON_PEER, kind, ...args, ...(ca ? [ca] : [])],
    }),
  },
];
for (const runtime of RUNTIMES) {
  if (!runtime.available && !IN_CI) {
    console.warn(
      `${runtime.name} client tests skipped: not found (with CI=true they fail instead).`,
    );
  }
}

// The messages, in the order they are sent; the two large ones of at most `large` bytes.
function messages(large: number): (string | Uint8Array)[] {
  return [
    UNICODE_TEXT,
    "",
    new Uint8Array([0, 1, 127, 128, 255]),
    new Uint8Array(0),
    jsonLikeText(MIB),
    largeText(large - 8), // at most 7 bytes over what is asked for
    noise(256 * 1024),
    pattern(large),
  ];
}

for (const runtime of RUNTIMES) {
  for (const engine of ENGINES) {
    for (const secure of [false, true]) {
      Deno.test({
        name:
          `${runtime.name}'s WebSocket client exchanges messages and a close code with the ${engine} engine${
            secure ? " over TLS" : ""
          }`,
        ignore: !runtime.available && !IN_CI,
        async fn() {
          assert.ok(
            runtime.available,
            `${runtime.name} is missing: this test needs it on the PATH`,
          );
          const metrics = new ServerMetrics();
          await using server = startOurServer(engine, {
            extensions: engine === "streams" ? [perMessageDeflate(runtime.deflate)] : [],
            metrics,
            ...(secure ? { tls: { cert: TEST_TLS.cert, key: TEST_TLS.key } } : {}),
          });
          const url = `${secure ? server.wsBase.replace("ws:", "wss:") : server.wsBase}/echo`;
          const MESSAGES = messages(LARGE);
          const dir = await Deno.makeTempDir({ prefix: "aero-runtime-client-" });
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
            const { cmd, ...options } = runtime.command(
              "echo",
              [url, dir],
              secure ? TEST_TLS.certFile : undefined,
            );
            const lines = await runPeer(cmd, options, `${runtime.name}'s client`, 90_000);

            const [open, ...rest] = lines;
            if (engine === "streams") assert.match(open!, /^open permessage-deflate(;|$)/);
            else assert.equal(open, "open ");
            const expected = [];
            for (const message of MESSAGES) {
              const bytes = typeof message === "string" ? encoder.encode(message) : message;
              expected.push(
                `${typeof message === "string" ? "text" : "binary"} ${await printedPayload(bytes)}`,
              );
            }
            if (runtime.pings) expected.push("pong");
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
                assert.ok(
                  got.type === "text" && got.data === message,
                  `message ${i} (text) differs`,
                );
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

            // With permessage-deflate, we compressed, and so did a client that compresses.
            if (engine === "streams") {
              assert.equal(server.connections.pending, 1);
              const conn = await server.connections.next();
              assert.deepEqual(conn.info.extensions, ["permessage-deflate"]);
              if (runtime.compresses) {
                assert.ok(
                  metrics.compressedBytesIn < metrics.uncompressedBytesIn / 2,
                  `${runtime.name} compressed: ${metrics.compressedBytesIn} of ${metrics.uncompressedBytesIn} bytes`,
                );
              } else {
                assert.equal(metrics.compressedBytesIn, metrics.uncompressedBytesIn);
              }
              // Messages over `maxCompressSize` went out as they are; the rest compressed.
              const limit = runtime.deflate.maxCompressSize ?? Infinity;
              const sizes = MESSAGES.map((m) =>
                typeof m === "string" ? encoder.encode(m).length : m.length
              );
              const raw = sizes.filter((size) => size > limit).reduce((a, b) => a + b, 0);
              assert.equal(raw > 0, limit < LARGE, "a message over the limit was sent");
              const out = metrics.compressedBytesOut - raw;
              assert.ok(
                out > 0 && out < (metrics.uncompressedBytesOut - raw) / 2,
                `we compressed: ${metrics.compressedBytesOut} of ${metrics.uncompressedBytesOut} bytes, ${raw} of them as they are`,
              );
            }
          } finally {
            await Deno.remove(dir, { recursive: true });
          }
        },
      });
    }
  }
}

// Shutdown without loss, seen by a client we did not write: every message `send()` accepted before
// `shutdown()` arrives, in order, then the close with 1001 — over TLS too, where each write passes
// through the TLS layer before the close frame.
const COUNT = 5_000;

for (const runtime of RUNTIMES) {
  for (const engine of ENGINES) {
    for (const secure of [false, true]) {
      Deno.test({
        name:
          `${runtime.name}'s WebSocket client receives every message sent before the ${engine} engine shuts down${
            secure ? ", over TLS" : ""
          }`,
        ignore: !runtime.available && !IN_CI,
        async fn() {
          assert.ok(
            runtime.available,
            `${runtime.name} is missing: this test needs it on the PATH`,
          );
          let accepted = 0;
          const server = serve({
            hostname: "127.0.0.1",
            port: 0,
            engine,
            ...(secure ? { tls: { cert: TEST_TLS.cert, key: TEST_TLS.key } } : {}),
          }, async (conn) => {
            for await (const message of conn) {
              if (message.data !== "go") continue;
              for (let i = 0; i < COUNT; i++) if (conn.send(`message ${i}`)) accepted++;
              // Shut down at once, with everything still queued.
              server.shutdown({ timeout: 5_000 });
            }
          });
          try {
            const { cmd, ...options } = runtime.command(
              "shutdown",
              [server.url],
              secure ? TEST_TLS.certFile : undefined,
            );
            const lines = await runPeer(cmd, options, `${runtime.name}'s client`, 30_000);
            assert.deepEqual(lines, [`received ${COUNT}`, "close 1001 true"]);
            assert.equal(accepted, COUNT);
            await within(server.finished, "the server to finish");
            assert.equal(server.connections, 0);
          } finally {
            await server.shutdown();
          }
        },
      });
    }
  }
}
