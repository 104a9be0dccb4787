import type { WebSocketConnection } from "../connection/websocket_connection.ts";
import { _upgradeNative } from "./_upgrade_native.ts";
import { _resolveUpgradeOptions } from "./_resolve_options.ts";
import type { UpgradeOptions } from "./server_options.ts";

/** Options for {@linkcode upgrade}: the handshake policy plus where the request came from. */
export interface UpgradeRequestOptions<Data = unknown> extends UpgradeOptions<Data> {
  /** The peer's address (pass `info.remoteAddr` from the `Deno.serve` handler). @default {undefined} */
  remoteAddress?: Deno.NetAddr;
}

/**
 * The outcome of {@linkcode upgrade}: on success, the `101` response to return from the
 * `Deno.serve` handler and the connection (usable at once); on refusal, the error response.
 */
export type UpgradeResult<Data = unknown> =
  | { ok: true; response: Response; connection: WebSocketConnection<Data> }
  | { ok: false; response: Response };

/**
 * Accepts a WebSocket inside any `Deno.serve` handler with the server's handshake policy
 * (validation, subprotocol selection, `onUpgrade`) and returns a connection with the same
 * interface as every other engine. This is the `native` engine: it runs on Deno's own
 * `WebSocket`, so it has no extensions (no permessage-deflate), no exact frame limits, no
 * zero-copy and only coarse backpressure; `ping()` returns `false`. See `docs/ENGINES.md`.
 *
 * @example Inside a Deno.serve handler
 * ```ts
 * import { upgrade } from "@aero/socket/server";
 * import assert from "node:assert/strict";
 *
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request, info) => {
 *   const result = await upgrade(request, { protocols: ["chat"], remoteAddress: info.remoteAddr });
 *   if (result.ok) {
 *     const conn = result.connection;
 *     (async () => {
 *       for await (const message of conn) conn.send(message.data);
 *     })();
 *   }
 *   return result.response;
 * });
 * const ws = new WebSocket(`ws://127.0.0.1:${server.addr.port}/`, "chat");
 * await new Promise((resolve) => (ws.onopen = resolve));
 * assert.equal(ws.protocol, "chat");
 * ws.send("hello");
 * const reply = await new Promise((resolve) => (ws.onmessage = (event) => resolve(event.data)));
 * assert.equal(reply, "hello");
 * ws.close();
 * await new Promise((resolve) => (ws.onclose = resolve));
 * await server.shutdown();
 * ```
 */
export function upgrade<Data = unknown>(
  request: Request,
  options: UpgradeRequestOptions<Data> = {},
): Promise<UpgradeResult<Data>> {
  return _upgradeNative(request, _resolveUpgradeOptions(options), options.remoteAddress, null);
}
