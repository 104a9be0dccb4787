// Debian's Chromium, driven by playwright-core, as a WebSocket client of our server. The page is
// served by the server's own `fetch` handler; the WebSocket runs inside it.
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import type { CloseReport } from "./_deno_websocket.ts";
import { within } from "./_util.ts";

export { CHROMIUM_PATH, HAS_CHROMIUM, IN_CI, launchChromium, SKIP_CHROMIUM } from "../_chromium.ts";

/**
 * The page served at `/`. Its script opens WebSockets to the same host and runs round trips, so
 * megabytes never cross the DevTools protocol: the page builds the payloads (the same `pattern`
 * and `largeText` as `_util.ts`) and compares the echoes itself.
 */
export const PAGE_HTML = `<!doctype html>
<meta charset="utf-8">
<title>AeroSocket interop</title>
<script>
"use strict";
const sockets = [];
function pattern(size) {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = i % 251;
  return bytes;
}
function largeText(size) {
  const encoder = new TextEncoder();
  const words = ["alpha", "βeta", "gamma", "δelta", "✓", "🚀", "eins", "zwei"]
    .map((word) => ({ word: word + " ", bytes: encoder.encode(word + " ").length }));
  const parts = [];
  let length = 0;
  for (let i = 0; length < size; i++) {
    const { word, bytes } = words[(i * 7 + (i >> 3)) % words.length];
    parts.push(word);
    length += bytes;
  }
  return parts.join("");
}
function make(spec) {
  switch (spec.kind) {
    case "text": return spec.value;
    case "bytes": return new Uint8Array(spec.value);
    case "pattern": return pattern(spec.size);
    case "largeText": return largeText(spec.size);
  }
  throw new Error("unknown spec " + spec.kind);
}
function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
function next(entry) {
  if (entry.inbox.length > 0) return Promise.resolve(entry.inbox.shift());
  return new Promise((resolve) => entry.waiters.push(resolve));
}
window.openSocket = (path) => new Promise((resolve, reject) => {
  const ws = new WebSocket("ws://" + location.host + path);
  ws.binaryType = "arraybuffer";
  const entry = { ws, inbox: [], waiters: [] };
  entry.closed = new Promise((done) => {
    ws.onclose = (e) => done({ code: e.code, reason: e.reason, wasClean: e.wasClean });
  });
  ws.onmessage = (event) => {
    const waiter = entry.waiters.shift();
    if (waiter) waiter(event.data);
    else entry.inbox.push(event.data);
  };
  ws.onopen = () => {
    sockets.push(entry);
    resolve({ id: sockets.length - 1, extensions: ws.extensions, protocol: ws.protocol });
  };
  ws.onerror = () => reject(new Error("WebSocket error on " + path));
});
window.roundTrip = async (id, specs) => {
  const entry = sockets[id];
  const sent = specs.map(make);
  for (const data of sent) entry.ws.send(data);
  const results = [];
  for (const data of sent) {
    const got = await next(entry);
    const text = typeof got === "string";
    results.push({
      type: text ? "text" : "binary",
      size: text ? got.length : got.byteLength,
      equal: typeof data === "string"
        ? got === data
        : !text && sameBytes(new Uint8Array(got), data),
      text: text && got.length <= 200 ? got : null,
    });
  }
  return results;
};
window.closeSocket = (id, code, reason) => {
  sockets[id].ws.close(code, reason);
  return sockets[id].closed;
};
window.socketClosed = (id) => sockets[id].closed;
</script>
`;

// The functions the page script defines on `window`.
interface _PageApi {
  openSocket(path: string): Promise<{ id: number; extensions: string; protocol: string }>;
  roundTrip(id: number, specs: readonly Spec[]): Promise<EchoReport[]>;
  closeSocket(id: number, code: number, reason: string): Promise<CloseReport>;
  socketClosed(id: number): Promise<CloseReport>;
}

/** What a page-side round trip reports for one message. */
export interface EchoReport {
  type: "text" | "binary";
  size: number;
  equal: boolean;
  text: string | null;
}

/** A payload the page builds. */
export type Spec =
  | { kind: "text"; value: string }
  | { kind: "bytes"; value: number[] }
  | { kind: "pattern"; size: number }
  | { kind: "largeText"; size: number };

/** The page's functions, called from the test through `page.evaluate`. */
export class ChromiumPage implements AsyncDisposable {
  readonly page: Page;

  private constructor(page: Page) {
    this.page = page;
  }

  /** Opens a page at `httpBase/` (served by the server's `fetch` handler). */
  static async open(browser: Browser, httpBase: string): Promise<ChromiumPage> {
    const page = await browser.newPage();
    page.setDefaultTimeout(10_000);
    try {
      const response = await page.goto(`${httpBase}/`);
      assert.equal(response?.status(), 200);
      assert.equal(await page.title(), "AeroSocket interop");
    } catch (error) {
      await page.close();
      throw error;
    }
    return new ChromiumPage(page);
  }

  /** Opens a WebSocket to `path` on the page's host. */
  openSocket(path: string): Promise<{ id: number; extensions: string; protocol: string }> {
    return within(
      this.page.evaluate((p) => (globalThis as unknown as _PageApi).openSocket(p), path),
      `opening ${path} in Chromium`,
    );
  }

  /** Sends each spec's payload and reports each echo, compared in the page. */
  roundTrip(id: number, specs: Spec[], ms?: number): Promise<EchoReport[]> {
    return within(
      this.page.evaluate(
        ([i, s]) => (globalThis as unknown as _PageApi).roundTrip(i, s),
        [id, specs] as const,
      ),
      "a round trip in Chromium",
      ms,
    );
  }

  /** Closes socket `id` with `code` and `reason`; resolves with its close event. */
  closeSocket(id: number, code: number, reason: string): Promise<CloseReport> {
    return within(
      this.page.evaluate(
        ([i, c, r]) => (globalThis as unknown as _PageApi).closeSocket(i, c, r),
        [id, code, reason] as const,
      ),
      "closing a socket in Chromium",
    );
  }

  /** Resolves with socket `id`'s close event. */
  socketClosed(id: number): Promise<CloseReport> {
    return within(
      this.page.evaluate((i) => (globalThis as unknown as _PageApi).socketClosed(i), id),
      "a socket's close event in Chromium",
    );
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.page.close();
  }
}

/** A `fetch` handler serving {@linkcode PAGE_HTML} at `/` and 404 elsewhere. */
export function pageFetch(request: Request): Response {
  if (new URL(request.url).pathname !== "/") return new Response("not found", { status: 404 });
  return new Response(PAGE_HTML, { headers: { "content-type": "text/html; charset=utf-8" } });
}
