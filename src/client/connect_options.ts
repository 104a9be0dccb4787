import type { ConnectionOptions } from "../connection/connection_options.ts";
import type { ExtensionFactory } from "../extensions/extension.ts";

/**
 * Options for {@linkcode connect}. Besides the options below, every {@linkcode ConnectionOptions}
 * setting of the resulting connection (`limits`, `keepalive`, `closeTimeout`,
 * `maxBufferedAmount`, `slowConsumer`, `maxReadAhead`, `fragmentSize`, `data`) is accepted and
 * keeps its documented default.
 *
 * @example
 * ```ts
 * import type { ConnectOptions } from "@aero/socket/client";
 * import assert from "node:assert/strict";
 *
 * const options: ConnectOptions = { protocols: ["aero.v1.json"], handshakeTimeout: 5_000 };
 * assert.equal(options.protocols?.length, 1);
 * ```
 */
export interface ConnectOptions<Data = unknown> extends
  Omit<
    ConnectionOptions<Data>,
    "role" | "protocol" | "extensions" | "url" | "headers" | "remoteAddress"
  > {
  /**
   * Extra request headers (for example `Authorization` or `Cookie`). The handshake's own headers
   * (`Upgrade`, `Connection`, `Sec-WebSocket-*`) cannot be set here; `Host` can. Not available
   * in browsers.
   *
   * @default {undefined}
   */
  headers?: HeadersInit;
  /**
   * Subprotocols to offer, in order of preference. The server must choose one of them or none.
   *
   * @default {[]}
   */
  protocols?: readonly string[];
  /**
   * The `Origin` header to send, if any. Browsers always send their own.
   *
   * @default {undefined}
   */
  origin?: string;
  /**
   * Extra trusted root certificates (PEM) for `wss://`, on top of the system store.
   *
   * @default {undefined}
   */
  caCerts?: readonly string[];
  /**
   * Milliseconds allowed for the TCP connection, the TLS handshake and the opening handshake
   * together; on expiry the socket is closed and `connect` rejects with a `TimeoutError`
   * `DOMException`.
   *
   * @default {10_000}
   */
  handshakeTimeout?: number;
  /**
   * Aborts the attempt: while connecting, `connect` rejects with the signal's reason and closes
   * the socket. Once `connect` has resolved, the signal has no effect.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
  /**
   * Client extensions to offer, in order of preference (for example permessage-deflate). Each
   * factory's `offer()` goes into `Sec-WebSocket-Extensions`; the server's answer is handed to
   * `accepted()`. Not available in browsers (the browser negotiates its own).
   *
   * @default {[]}
   */
  extensions?: readonly ExtensionFactory[];
}
