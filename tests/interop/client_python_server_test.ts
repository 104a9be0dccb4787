// connect() against Python's `websockets` server (Debian's python3-websockets, a server in another
// language that we did not write), with permessage-deflate negotiated and compressing both ways:
// text with 1- to 4-byte characters, empty messages, compressible and incompressible binary,
// 16 MiB, pings, a close code from each side; over TCP and over TLS (Python's ssl module, our
// client's `caCerts`). Without python3-websockets the tests fail under CI=true (.ci/run installs
// it) and are skipped with a message elsewhere.
import assert from "node:assert/strict";
import { connect } from "../../src/client/mod.ts";
import { perMessageDeflate } from "../../src/extensions/mod.ts";
import { jsonLikeText, noise } from "../extensions/_helpers.ts";
import { spy, take, type WireCounts } from "../extensions/_net.ts";
import {
  HAS_PYTHON_WEBSOCKETS,
  NEEDS_PYTHON,
  PYTHON,
  PYTHON_PEER,
  SKIP_PYTHON,
} from "./_python.ts";
import {
  assertSameBytes,
  LARGE,
  largeText,
  pattern,
  startPeerServer,
  TEST_TLS,
  UNICODE_TEXT,
} from "./_util.ts";

const MIB = 1024 * 1024;

for (const secure of [false, true]) {
  Deno.test({
    name: `our client talks permessage-deflate with Python's websockets server${
      secure ? " over TLS" : ""
    }`,
    ignore: SKIP_PYTHON,
    async fn() {
      assert.ok(HAS_PYTHON_WEBSOCKETS, NEEDS_PYTHON);
      await using server = await startPeerServer(
        PYTHON,
        [PYTHON_PEER, "server", ...(secure ? [TEST_TLS.certFile, TEST_TLS.keyFile] : [])],
        1,
        "the Python server",
      );
      const [url] = server.urls as [string];
      assert.ok(url.startsWith(secure ? "wss://" : "ws://"), url);
      const counts: WireCounts = { sent: 0, received: 0, responses: [] };
      const conn = await connect(`${url}echo`, {
        extensions: [spy(perMessageDeflate({ offloadSize: 64 * 1024 }), counts)],
        limits: { maxMessageSize: 32 * MIB },
        maxBufferedAmount: 64 * MIB,
        caCerts: [TEST_TLS.cert],
      });
      assert.deepEqual(conn.info.extensions, ["permessage-deflate"]);
      const sent: (string | Uint8Array)[] = [
        UNICODE_TEXT,
        "",
        new Uint8Array([0, 1, 127, 128, 255]),
        new Uint8Array(0),
        jsonLikeText(MIB),
        largeText(4 * MIB),
        noise(256 * 1024),
        pattern(LARGE),
      ];
      for (const message of sent) assert.ok(conn.send(message));
      assert.ok(conn.ping("are you there"));
      const echoes = await take(conn, sent.length);
      for (const [i, echo] of echoes.entries()) {
        const expected = sent[i]!;
        if (typeof expected === "string") {
          assert.ok(echo.type === "text" && echo.data === expected, `message ${i} (text)`);
        } else {
          assert.equal(echo.type, "binary", `message ${i}`);
          assertSameBytes(echo.data, expected, `message ${i}`);
        }
      }
      // Compressed both ways: ours at the 1 KiB threshold, Python's (it compresses every message).
      const large = sent.filter((m) => m.length >= 1024).length;
      assert.equal(counts.sent, large);
      assert.ok(counts.received >= large, `compressed messages received: ${counts.received}`);
      conn.close(4001, "bye \u2713");
      // The answer to a close carries the peer's code; Python's also repeats the reason.
      assert.deepEqual(await conn.closed, { code: 4001, reason: "bye \u2713", wasClean: true });

      // The server closes with a code and a reason of its own.
      const closing = await connect(`${url}close`, { caCerts: [TEST_TLS.cert] });
      assert.deepEqual(await closing.closed, {
        code: 4002,
        reason: "server bye",
        wasClean: true,
      });
    },
  });
}
