// permessage-deflate between Chromium and our streams engine: Chromium's offer is negotiated,
// compressed messages (up to 1 MiB, fragmented or not) round-trip, and each direction really
// compresses. The native engine ignores the offer. Without Chromium the tests fail under CI=true
// and are skipped with a message elsewhere.
import assert from "node:assert/strict";
import { type ExtensionFactory, perMessageDeflate } from "../../src/extensions/mod.ts";
import { type Frame, OPCODE, RSV1 } from "../../src/protocol/mod.ts";
import { ChromiumPage, launchChromium, pageFetch, SKIP_CHROMIUM, type Spec } from "./_chromium.ts";
import { startOurServer } from "./_our_server.ts";
import { assertSameBytes, largeText, pattern, UNICODE_TEXT } from "./_util.ts";

const MIB = 1024 * 1024;

/** What the server-side extension saw on the wire, counted by {@linkcode counting}. */
interface WireStats {
  /** Data frames received with RSV1 set (compressed messages). */
  compressedIn: number;
  /** Data frames received without RSV1 (uncompressed messages). */
  plainIn: number;
  /** Payload bytes of data frames received, as on the wire. */
  wireBytesIn: number;
  /** Payload bytes of messages sent, as on the wire. */
  wireBytesOut: number;
  /** Messages the server sent compressed. */
  compressedOut: number;
  /** Messages the server sent uncompressed. */
  plainOut: number;
  /** Payloads of pongs received. */
  pongs: Uint8Array[];
  /** Messages the server compressed on a worker. */
  offloaded: number;
}

// Wraps the server's permessage-deflate so the test can see what crosses the wire: every received
// frame passes through `decode` before inflation, every sent message through `encode` after.
function counting(factory: ExtensionFactory, stats: WireStats): ExtensionFactory {
  const countOut = (encoded: { payload: Uint8Array; rsv: number }) => {
    stats.wireBytesOut += encoded.payload.length;
    if ((encoded.rsv & RSV1) !== 0) stats.compressedOut++;
    else stats.plainOut++;
    return encoded;
  };
  return {
    name: factory.name,
    rsv: factory.rsv,
    offer: () => factory.offer(),
    accepted: (response, limits) => factory.accepted(response, limits),
    accept(offers, limits) {
      const result = factory.accept(offers, limits);
      if (result === null) return null;
      const inner = result.extension;
      return {
        response: result.response,
        extension: {
          name: inner.name,
          rsv: inner.rsv,
          decode(frame: Frame): Frame {
            if (frame.opcode === OPCODE.PONG) stats.pongs.push(frame.payload.slice());
            if (frame.opcode === OPCODE.TEXT || frame.opcode === OPCODE.BINARY) {
              if ((frame.rsv & RSV1) !== 0) stats.compressedIn++;
              else stats.plainIn++;
            }
            if (frame.opcode < OPCODE.CLOSE) stats.wireBytesIn += frame.payload.length;
            return inner.decode(frame);
          },
          encode: (opcode, payload) => countOut(inner.encode(opcode, payload)),
          // Large messages are compressed on the workers: Chromium's inflater then sees both
          // compressors' output on one connection.
          encodeLater(opcode, payload) {
            return inner.encodeLater?.(opcode, payload)?.then((encoded) => {
              stats.offloaded++;
              return countOut(encoded);
            });
          },
          close: () => inner.close(),
        },
      };
    },
  };
}

function newStats(): WireStats {
  return {
    compressedIn: 0,
    plainIn: 0,
    wireBytesIn: 0,
    wireBytesOut: 0,
    compressedOut: 0,
    plainOut: 0,
    pongs: [],
    offloaded: 0,
  };
}

Deno.test({
  name:
    "Chromium negotiates permessage-deflate with the streams engine (not the native one); compressed messages round-trip",
  ignore: SKIP_CHROMIUM,
  async fn(t) {
    const browser = await launchChromium();
    try {
      // With fragmentSize, compressed messages go out in many frames, RSV1 on the first only.
      for (const fragmentSize of [undefined, 1000]) {
        const name = fragmentSize === undefined ? "whole messages" : "fragmented messages";
        await t.step(name, async () => {
          const stats = newStats();
          await using server = startOurServer("streams", {
            fetch: pageFetch,
            extensions: [counting(perMessageDeflate(), stats)],
            ...(fragmentSize === undefined ? {} : { fragmentSize }),
          });
          await using page = await ChromiumPage.open(browser, server.httpBase);
          const { id, extensions } = await page.openSocket("/ping?data=deflated%20ping");
          const conn = await server.connections.next();
          // Chromium's offer, and our answer as Chromium reports it.
          assert.equal(
            conn.info.headers.get("sec-websocket-extensions"),
            "permessage-deflate; client_max_window_bits",
          );
          assert.deepEqual(conn.info.extensions, ["permessage-deflate"]);
          assert.equal(extensions, "permessage-deflate");
          assert.equal(await server.pings.next(), true);

          const text = largeText(MIB);
          const specs: Spec[] = [
            { kind: "text", value: UNICODE_TEXT },
            { kind: "largeText", size: MIB },
            { kind: "pattern", size: MIB },
            { kind: "text", value: "" },
            { kind: "bytes", value: [] },
            { kind: "largeText", size: MIB }, // Again: the compression contexts carry over.
          ];
          assert.deepEqual(await page.roundTrip(id, specs), [
            { type: "text", size: UNICODE_TEXT.length, equal: true, text: UNICODE_TEXT },
            { type: "text", size: text.length, equal: true, text: null },
            { type: "binary", size: MIB, equal: true, text: null },
            { type: "text", size: 0, equal: true, text: "" },
            { type: "binary", size: 0, equal: true, text: null },
            { type: "text", size: text.length, equal: true, text: null },
          ]);
          assert.deepEqual(await server.received.next(), { type: "text", data: UNICODE_TEXT });
          assert.deepEqual(await server.received.next(), { type: "text", data: text });
          const bytes = await server.received.next();
          assert.equal(bytes.type, "binary");
          assertSameBytes(bytes.data, pattern(MIB), "server side, binary");
          assert.deepEqual(await server.received.next(), { type: "text", data: "" });
          assert.deepEqual(await server.received.next(), {
            type: "binary",
            data: new Uint8Array(0),
          });
          assert.deepEqual(await server.received.next(), { type: "text", data: text });

          // Chromium compresses every message; the server compresses those over its 1 KiB
          // threshold. Both directions shrink the 3 MiB of large messages well below 1 MiB.
          assert.equal(stats.compressedIn, 6);
          assert.equal(stats.plainIn, 0);
          assert.equal(stats.compressedOut, 3);
          assert.equal(stats.plainOut, 3);
          const raw = 2 * new TextEncoder().encode(text).length + MIB;
          assert.ok(stats.wireBytesIn < raw / 4, `${stats.wireBytesIn} bytes in for ${raw}`);
          assert.ok(stats.wireBytesOut < raw / 4, `${stats.wireBytesOut} bytes out for ${raw}`);
          // Chromium answered the ping with the same data.
          assert.deepEqual(stats.pongs, [new TextEncoder().encode("deflated ping")]);
          // The three large echoes were compressed on the workers.
          assert.equal(stats.offloaded, 3);

          // Sizes alternating between the connection's own compressor (under 8 KiB) and the
          // worker's: each switch starts the compressor taking over on an empty window, and
          // Chromium's one inflater with context takeover must read every message.
          const sizes = [4096, 20_000, 5000, 30_000, 30_000, 2000];
          assert.deepEqual(
            await page.roundTrip(id, sizes.map((size) => ({ kind: "largeText", size }))),
            sizes.map((size) => ({
              type: "text",
              size: largeText(size).length,
              equal: true,
              text: null,
            })),
          );
          for (const size of sizes) {
            assert.deepEqual(await server.received.next(), { type: "text", data: largeText(size) });
          }
          assert.equal(stats.compressedOut, 3 + sizes.length);
          assert.equal(stats.offloaded, 3 + 3);

          assert.deepEqual(await page.closeSocket(id, 4000, "done"), {
            code: 4000,
            reason: "",
            wasClean: true,
          });
          assert.deepEqual(await server.closes.next(), {
            code: 4000,
            reason: "done",
            wasClean: true,
          });
        });
      }
      await t.step("the native engine declines the offer even when configured", async () => {
        await using server = startOurServer("native", {
          fetch: pageFetch,
          extensions: [perMessageDeflate()],
        });
        await using page = await ChromiumPage.open(browser, server.httpBase);
        const { id, extensions } = await page.openSocket("/echo");
        assert.equal(extensions, "");
        const conn = await server.connections.next();
        assert.deepEqual(conn.info.extensions, []);
        assert.deepEqual(await page.roundTrip(id, [{ kind: "largeText", size: 4096 }]), [
          { type: "text", size: largeText(4096).length, equal: true, text: null },
        ]);
        assert.deepEqual(await page.closeSocket(id, 1000, ""), {
          code: 1000,
          reason: "",
          wasClean: true,
        });
        assert.deepEqual(await server.closes.next(), { code: 1000, reason: "", wasClean: true });
      });
    } finally {
      await browser.close();
    }
  },
});
