// The chat example in Debian's Chromium (driven by playwright-core; no browser is downloaded):
// two pages join a room, see each other, exchange messages and a typing notice; then one
// page's network is cut (a TCP proxy between it and the server drops every connection, and the
// page goes offline) while the other keeps talking; once restored, the cut page receives what it
// missed, in order and without duplicates, and what it sent while offline reaches the other.
// Writes a screenshot to test-results/chat.png.
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { launchChromium, SKIP_CHROMIUM } from "../_chromium.ts";
import { startChat } from "../../examples/chat.ts";

const SCREENSHOT = new URL("../../test-results/chat.png", import.meta.url);

/** A TCP proxy on 127.0.0.1 that can drop every connection and refuse new ones. */
function startProxy(targetPort: number) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const live = new Set<Deno.Conn>();
  let cut = false;
  const pipe = async (from: Deno.Conn, to: Deno.Conn) => {
    try {
      await from.readable.pipeTo(to.writable);
    } catch {
      // Dropped.
    }
    for (const conn of [from, to]) {
      live.delete(conn);
      try {
        conn.close();
      } catch {
        // Already closed.
      }
    }
  };
  const accepting = (async () => {
    for await (const inbound of listener) {
      if (cut) {
        inbound.close();
        continue;
      }
      try {
        const outbound = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
        live.add(inbound);
        live.add(outbound);
        pipe(inbound, outbound);
        pipe(outbound, inbound);
      } catch {
        inbound.close();
      }
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    cut() {
      cut = true;
      for (const conn of [...live]) {
        try {
          conn.close();
        } catch {
          // Already closed.
        }
      }
      live.clear();
    },
    restore() {
      cut = false;
    },
    async close() {
      this.cut();
      listener.close();
      await accepting.catch(() => {});
    },
  };
}

async function join(page: Page, url: string, nick: string): Promise<void> {
  await page.goto(url);
  await page.fill("#nick", nick);
  await page.fill("#room", "lobby");
  await page.click("#join button");
  await page.waitForSelector('#status[data-state="open"]', { timeout: 10_000 });
}

async function send(page: Page, text: string): Promise<void> {
  await page.fill("#text", text);
  await page.press("#text", "Enter");
}

function texts(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(selector, (nodes) => nodes.map((node) => node.textContent ?? ""));
}

async function waitForText(page: Page, selector: string, text: string): Promise<void> {
  await page.locator(selector).filter({ hasText: text }).first().waitFor({ timeout: 10_000 });
}

Deno.test({
  name: "Chat in Chromium: presence, messages, typing, and a cut page receives what it missed",
  ignore: SKIP_CHROMIUM,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using chat = await startChat({ port: 0, hostname: "127.0.0.1", rebuildBundle: true });
    const proxy = startProxy(chat.server.addr.port);
    const browser: Browser = await launchChromium();

    try {
      const contextA = await browser.newContext();
      const contextB = await browser.newContext({ viewport: { width: 900, height: 640 } });
      const ada = await contextA.newPage();
      const bob = await contextB.newPage();
      const errors: string[] = [];
      for (const page of [ada, bob]) page.on("pageerror", (error) => errors.push(error.message));

      await join(ada, chat.url, "ada");
      await join(bob, `http://127.0.0.1:${proxy.port}/`, "bob");
      await waitForText(ada, "#members li", "bob");
      await waitForText(bob, "#members li", "ada");
      assert.deepEqual(await texts(bob, "#members li"), ["ada", "bob (you)"]);

      await send(ada, "hello from ada");
      await waitForText(bob, "#messages .text", "hello from ada");
      await send(bob, "hi ada, <b>bob</b> here\u0007");
      await waitForText(ada, "#messages .text", "bob</b> here");
      // Untrusted text arrives as text: no element was created from it, the control char is gone.
      assert.equal(await ada.$$eval("#messages b", (nodes) => nodes.length), 0);
      assert.ok((await texts(ada, "#messages .text")).includes("hi ada, <b>bob</b> here"));

      // Typing notices are throttled (page and server): keep typing until bob sees one.
      const typing = bob.locator("#typing").filter({ hasText: "ada is typing" });
      for (let i = 0; i < 20 && !(await typing.isVisible()); i++) {
        await ada.fill("#text", `typing${".".repeat(i % 3 + 1)}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      await typing.waitFor({ timeout: 5_000 });
      await ada.fill("#text", "");

      // Cut bob off: every connection through the proxy drops and new ones are refused.
      await contextB.setOffline(true);
      proxy.cut();
      await bob.waitForSelector('#status[data-state="reconnecting"]', { timeout: 10_000 });
      await send(bob, "sent while offline");
      for (const text of ["missed one", "missed two", "missed three"]) await send(ada, text);
      await waitForText(ada, "#messages .text", "missed three");

      proxy.restore();
      await contextB.setOffline(false); // fires `online`: the client retries at once
      await bob.waitForSelector('#status[data-state="open"]', { timeout: 15_000 });
      await waitForText(bob, "#messages .text", "missed three");
      await waitForText(ada, "#messages .text", "sent while offline");
      await waitForText(bob, "#notice", "no message missed");
      await waitForText(ada, "#members li", "bob");

      const seen = await texts(bob, "#messages .text");
      assert.equal(new Set(seen).size, seen.length, `no duplicates: ${JSON.stringify(seen)}`);
      const order = ["hello from ada", "missed one", "missed two", "missed three"]
        .map((text) => seen.indexOf(text));
      assert.ok(
        order.every((index, i) => index >= 0 && (i === 0 || index > order[i - 1]!)),
        `in order: ${JSON.stringify(seen)}`,
      );
      const offsets = await bob.$$eval(
        "#messages li",
        (nodes) => nodes.map((n) => Number(n.getAttribute("data-offset"))),
      );
      assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b));
      assert.deepEqual(errors, []);

      await Deno.mkdir(new URL(".", SCREENSHOT), { recursive: true });
      await bob.screenshot({ path: SCREENSHOT.pathname, fullPage: true });
      assert.ok((await Deno.stat(SCREENSHOT)).size > 0);
    } finally {
      await browser.close();
      await proxy.close();
    }
  },
});
