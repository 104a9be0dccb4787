/**
 * The WebSocket client: {@linkcode connect} opens a {@linkcode Connection} to a `ws://` or
 * `wss://` URL with AeroSocket's own pipeline over `Deno.connect` / `Deno.connectTls`, and over
 * the platform `WebSocket` ({@linkcode BrowserConnection}) in browsers.
 *
 * @example Connect to an echo server
 * ```ts
 * import { connect } from "@aero/socket/client";
 * import assert from "node:assert/strict";
 *
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
 *   const { socket, response } = Deno.upgradeWebSocket(request);
 *   socket.onmessage = (event) => socket.send(event.data);
 *   return response;
 * });
 * await using conn = await connect(`ws://127.0.0.1:${server.addr.port}/`);
 * conn.sendJson({ hello: "world" });
 * const { value } = await conn[Symbol.asyncIterator]().next();
 * assert.deepEqual(value, { type: "text", data: '{"hello":"world"}' });
 * conn.close();
 * await conn.closed;
 * await server.shutdown();
 * ```
 *
 * @module
 */
export * from "./browser_connection.ts";
export * from "./connect.ts";
export * from "./connect_options.ts";
export * from "./handshake_refused_error.ts";
