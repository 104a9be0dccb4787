/**
 * The WebSocket server: {@linkcode serve} with two engines behind one connection interface
 * (`streams`, our own pipeline over `Deno.listen`, and `native`, `Deno.serve` with
 * `Deno.upgradeWebSocket`), and {@linkcode upgrade} for any `Deno.serve` handler.
 *
 * @example
 * ```ts
 * import { serve } from "@aero/socket/server";
 * import assert from "node:assert/strict";
 *
 * const server = serve({ hostname: "127.0.0.1", port: 0 }, (conn) => {
 *   conn.send("welcome");
 * });
 * const ws = new WebSocket(server.url);
 * const first = await new Promise((resolve) => (ws.onmessage = (event) => resolve(event.data)));
 * assert.equal(first, "welcome");
 * const closed = new Promise((resolve) => (ws.onclose = resolve));
 * await server.shutdown();
 * await closed;
 * ```
 *
 * @module
 */
export * from "./serve.ts";
export * from "./server_options.ts";
export * from "./upgrade.ts";
export * from "../observability/server_metrics_recorder.ts";
