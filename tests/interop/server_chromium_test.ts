// Our server, both engines, against Chromium's WebSocket (Debian's /usr/bin/chromium driven by
// playwright-core): messages of every kind and size, fragmentation, close codes both ways. Without
// Chromium the tests fail under CI=true and are skipped with a message elsewhere.
import assert from "node:assert/strict";
import { ChromiumPage, launchChromium, pageFetch, SKIP_CHROMIUM } from "./_chromium.ts";
import { ENGINES, type OurServer, startOurServer } from "./_our_server.ts";
import { assertSameBytes, LARGE, largeText, pattern, UNICODE_TEXT } from "./_util.ts";

for (const engine of ENGINES) {
  Deno.test({
    name: `Chromium exchanges messages and close codes with the ${engine} engine`,
    ignore: SKIP_CHROMIUM,
    async fn(t) {
      const browser = await launchChromium();
      try {
        // One server and one page for the steps below; each step opens its own socket and leaves
        // no unread event behind.
        await using server = startOurServer(engine, { fetch: pageFetch });
        await using page = await ChromiumPage.open(browser, server.httpBase);

        await t.step("text, UTF-8, binary and empty messages", async () => {
          const { id, extensions } = await page.openSocket("/echo");
          assert.equal(extensions, "");
          assert.deepEqual(
            await page.roundTrip(id, [
              { kind: "text", value: UNICODE_TEXT },
              { kind: "text", value: "" },
              { kind: "bytes", value: [0, 1, 127, 128, 255] },
              { kind: "bytes", value: [] },
            ]),
            [
              { type: "text", size: UNICODE_TEXT.length, equal: true, text: UNICODE_TEXT },
              { type: "text", size: 0, equal: true, text: "" },
              { type: "binary", size: 5, equal: true, text: null },
              { type: "binary", size: 0, equal: true, text: null },
            ],
          );
          assert.deepEqual(await server.received.next(), { type: "text", data: UNICODE_TEXT });
          assert.deepEqual(await server.received.next(), { type: "text", data: "" });
          assert.deepEqual(await server.received.next(), {
            type: "binary",
            data: new Uint8Array([0, 1, 127, 128, 255]),
          });
          assert.deepEqual(await server.received.next(), {
            type: "binary",
            data: new Uint8Array(0),
          });
          await closeNormally(page, server, id);
        });

        await t.step("a 16 MiB binary and a 1 MiB text message both ways", async () => {
          const { id } = await page.openSocket("/echo");
          const text = largeText(1024 * 1024);
          assert.deepEqual(
            await page.roundTrip(id, [
              { kind: "pattern", size: LARGE },
              { kind: "largeText", size: 1024 * 1024 },
            ], 20_000),
            [
              { type: "binary", size: LARGE, equal: true, text: null },
              { type: "text", size: text.length, equal: true, text: null },
            ],
          );
          const bytes = await server.received.next();
          assert.equal(bytes.type, "binary");
          assertSameBytes(bytes.data, pattern(LARGE), "server side, binary");
          const got = await server.received.next();
          assert.equal(got.type, "text");
          assert.ok(got.data === text, "server side, text differs");
          await closeNormally(page, server, id);
        });

        // The WHATWG API refuses other codes (1001 throws InvalidAccessError).
        for (const code of [1000, 3000, 4999]) {
          await t.step(`Chromium closes with ${code} and a reason`, async () => {
            const { id } = await page.openSocket("/echo");
            const reason = `client bye ✓ ${code}`;
            const report = await page.closeSocket(id, code, reason);
            assert.deepEqual(await server.closes.next("the server's close"), {
              code,
              reason,
              wasClean: true,
            });
            // The streams engine echoes the code alone; Deno's server echoes the reason too.
            assert.deepEqual(report, {
              code,
              reason: engine === "streams" ? "" : reason,
              wasClean: true,
            });
          });
        }

        for (const code of [1000, 1001, 3000, 4999]) {
          await t.step(`the server closes with ${code} and a reason`, async () => {
            const reason = `server bye ✓ ${code}`;
            const { id } = await page.openSocket(
              `/close?code=${code}&reason=${encodeURIComponent(reason)}`,
            );
            assert.deepEqual(await page.socketClosed(id), { code, reason, wasClean: true });
            // Chromium echoes code and reason.
            assert.deepEqual(await server.closes.next("the server's close"), {
              code,
              reason,
              wasClean: true,
            });
          });
        }

        assert.equal(server.received.pending, 0);
        assert.equal(server.closes.pending, 0);

        // The native engine cannot fragment (Deno's WebSocket sends whole messages).
        if (engine === "streams") {
          await t.step("messages the server splits into 3-byte fragments", async () => {
            // 3-byte fragments cut multi-byte characters across frames.
            await using fragmenting = startOurServer(engine, { fetch: pageFetch, fragmentSize: 3 });
            await using page = await ChromiumPage.open(browser, fragmenting.httpBase);
            const { id } = await page.openSocket("/echo");
            assert.deepEqual(
              await page.roundTrip(id, [
                { kind: "text", value: UNICODE_TEXT },
                { kind: "pattern", size: 3_001 },
              ]),
              [
                { type: "text", size: UNICODE_TEXT.length, equal: true, text: UNICODE_TEXT },
                { type: "binary", size: 3_001, equal: true, text: null },
              ],
            );
            await closeNormally(page, fragmenting, id);
          });
        }
      } finally {
        await browser.close();
      }
    },
  });
}

async function closeNormally(page: ChromiumPage, server: OurServer, id: number): Promise<void> {
  assert.deepEqual(await page.closeSocket(id, 1000, "done"), {
    code: 1000,
    reason: server.server.engine === "streams" ? "" : "done",
    wasClean: true,
  });
  assert.deepEqual(await server.closes.next(), { code: 1000, reason: "done", wasClean: true });
}
