// `limits.maxMessageSize` on both engines, as a client sees it: a message at the limit (text counted
// in UTF-8 bytes) is delivered, a message over it is not, and the connection is closed with 1009.
// The streams engine applies the limit while the message arrives; the native engine once Deno has
// assembled it.
import assert from "node:assert/strict";
import { serve } from "../../mod.ts";
import type { CloseInfo } from "../../src/connection/mod.ts";
import { ServerMetrics } from "../../src/observability/mod.ts";
import { within } from "../interop/_util.ts";
import { closeEvent, ENGINES, nextMessage, openWebSocket } from "./_helpers.ts";

const LIMIT = 1_000;

// Over the limit, each on a connection of its own: binary, ASCII text, and text whose UTF-16
// length is under the limit while its UTF-8 length is over (334 × 3 bytes).
const OVER: [string, string | Uint8Array][] = [
  ["binary", new Uint8Array(LIMIT + 1)],
  ["ASCII text", "x".repeat(LIMIT + 1)],
  ["text over in UTF-8 only", "\u2713".repeat(334)],
];

for (const engine of ENGINES) {
  for (const [label, over] of OVER) {
    Deno.test(`the ${engine} engine closes with 1009 for ${label} over maxMessageSize, delivering what came before`, async () => {
      const metrics = new ServerMetrics();
      const received: (string | Uint8Array)[] = [];
      let closed: Promise<CloseInfo> | undefined;
      await using server = serve({
        hostname: "127.0.0.1",
        port: 0,
        engine,
        limits: { maxMessageSize: LIMIT },
        metrics,
      }, async (conn) => {
        closed = conn.closed;
        for await (const message of conn) {
          received.push(message.data);
          conn.send(message.data);
        }
      });
      const ws = await openWebSocket(server.url);
      ws.binaryType = "arraybuffer";
      // At the limit: 1,000 bytes of binary, of ASCII, and of 2-byte characters (500 units).
      const atLimit = [
        new Uint8Array(LIMIT).fill(7),
        "y".repeat(LIMIT),
        "\u00e9".repeat(LIMIT / 2),
      ];
      for (const message of atLimit) {
        ws.send(message);
        const echo = await within(nextMessage(ws), "the echo", 5_000);
        assert.deepEqual(typeof echo === "string" ? echo : new Uint8Array(echo), message);
      }
      ws.send(over);
      ws.send("after"); // never delivered: the connection is failing
      const event = await within(closeEvent(ws), "the close", 5_000);
      assert.equal(event.code, 1009);
      assert.equal(event.reason, "MESSAGE_TOO_BIG");
      assert.deepEqual(received, atLimit);
      // The server reports the failure as such.
      const info = await within(closed!, "the server's close", 5_000);
      assert.deepEqual(
        { code: info.code, reason: info.reason, wasClean: info.wasClean },
        { code: 1009, reason: "MESSAGE_TOO_BIG", wasClean: false },
      );
      assert.match(
        metrics.render(),
        /aero_protocol_errors_total\{code="MESSAGE_TOO_BIG"\} 1/,
      );
    });
  }
}
