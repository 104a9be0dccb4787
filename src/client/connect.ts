import { Connection } from "../connection/connection.ts";
import type { WebSocketConnection } from "../connection/websocket_connection.ts";
import { acceptExtensionResponses } from "../extensions/accept_extension_responses.ts";
import { offerExtensions } from "../extensions/offer_extensions.ts";
import { generateKey, validateUpgradeResponse } from "../protocol/handshake.ts";
import { formatExtensionHeader } from "../protocol/header_values.ts";
import { parseResponseHead } from "../protocol/http_head.ts";
import { _connectBrowser } from "./_connect_browser.ts";
import { _readSome, _SocketTransport, _writeAll } from "../connection/_socket_transport.ts";
import { _readResponseBody, _readResponseHead } from "./_read_response.ts";
import { _formatRequestHead } from "./_request_head.ts";
import {
  _resolveConnectOptions,
  type _ResolvedConnectOptions,
} from "./_resolve_connect_options.ts";
import type { ConnectOptions } from "./connect_options.ts";
import { HandshakeRefusedError } from "./handshake_refused_error.ts";

// The handshake response is read in reads of this size (a plain reader of a socket's stream
// allocates 64 KiB per read).
const _RESPONSE_READ = 4 * 1024;

/**
 * Opens a WebSocket connection to `url` (`ws:`, `wss:`, or `http:`/`https:`, mapped to those)
 * and resolves once the opening handshake has succeeded, with a {@linkcode WebSocketConnection}:
 * a {@linkcode Connection} on Deno, a {@linkcode BrowserConnection} in a browser.
 *
 * On Deno this runs AeroSocket's own pipeline over `Deno.connect` / `Deno.connectTls`: it sends
 * the handshake request (path and query, `Host` with a non-default port, the offered
 * subprotocols and extensions, `options.headers`), reads the response head (at most
 * `limits.maxHandshakeHeadSize` bytes) and checks status 101, `Sec-WebSocket-Accept`, that the
 * chosen subprotocol and extensions were offered. Bytes that arrived right after the head are
 * the first frames and are delivered first. On the returned connection, `info.headers` holds the
 * server's 101 response headers and `info.protocol` the chosen subprotocol.
 *
 * Where `Deno` is not defined (a browser), the platform `WebSocket` is wrapped in a
 * {@linkcode BrowserConnection}; options it cannot honour (`headers`,
 * `caCerts`, `origin`, `extensions`) are refused with a `TypeError`.
 *
 * Every failure closes the socket.
 *
 * @throws {TypeError | RangeError} for an invalid URL or option, before any network activity.
 * @throws {HandshakeRefusedError} when the server answers with a status other than 101 (its
 * `status`, headers and the start of the body are attached).
 * @throws {HandshakeError} when the response is malformed, too large (status 502) or fails a
 * check (status 101).
 * @throws {DOMException} named `TimeoutError` after `handshakeTimeout`, or the signal's reason
 * when `options.signal` aborts first; `Deno.errors.*` for network failures.
 *
 * @example Talk to a Deno.serve echo server
 * ```ts
 * import { connect } from "@aero/socket/client";
 * import assert from "node:assert/strict";
 *
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
 *   const { socket, response } = Deno.upgradeWebSocket(request, { protocol: "chat" });
 *   socket.onmessage = (event) => socket.send(event.data);
 *   return response;
 * });
 * const conn = await connect(`ws://127.0.0.1:${server.addr.port}/room?id=1`, {
 *   protocols: ["chat"],
 * });
 * assert.equal(conn.info.protocol, "chat");
 * conn.send("hello");
 * for await (const message of conn) {
 *   assert.deepEqual(message, { type: "text", data: "hello" });
 *   break;
 * }
 * conn.close(1000, "done");
 * assert.equal((await conn.closed).code, 1000);
 * await server.shutdown();
 * ```
 */
export async function connect<Data = unknown>(
  url: string | URL,
  options: ConnectOptions<Data> = {},
): Promise<WebSocketConnection<Data>> {
  if (typeof Deno === "undefined") return await _connectBrowser(url, options);
  const resolved = _resolveConnectOptions(url, options);
  const { signal, handshakeTimeout } = resolved;
  signal?.throwIfAborted();
  const attempt: _Attempt = { conn: undefined, cancelled: false };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new DOMException(
          `Cannot open WebSocket: no handshake within ${handshakeTimeout} ms`,
          "TimeoutError",
        ),
      );
    }, handshakeTimeout);
    onAbort = () => reject(signal!.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  const opening = _open(resolved, attempt);
  try {
    return await Promise.race([opening, stop]);
  } catch (error) {
    attempt.cancelled = true;
    _closeQuietly(attempt.conn);
    // The abandoned attempt fails once its socket is closed; that failure is already reported.
    opening.catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
  }
}

interface _Attempt {
  conn: Deno.Conn | undefined;
  cancelled: boolean;
}

async function _open<Data>(
  options: _ResolvedConnectOptions<Data>,
  attempt: _Attempt,
): Promise<Connection<Data>> {
  const { url, limits } = options;
  const conn = await _dial(url, options.caCerts, attempt);
  const key = generateKey();
  const offers = offerExtensions(options.extensions);
  // The socket is read and written with `conn.read`/`conn.write` (see `_SocketTransport`).
  await _writeAll(
    conn,
    _formatRequestHead(url, key, options.headers, options.protocols, formatExtensionHeader(offers)),
  );
  const reader = { read: () => _readSome(conn, _RESPONSE_READ) };
  const { head, leftover } = await _readResponseHead(reader, limits.maxHandshakeHeadSize);
  const response = parseResponseHead(head);
  if (response.status !== 101) {
    const body = await _readResponseBody(
      reader,
      response.headers,
      leftover,
      limits.maxHandshakeHeadSize,
    );
    throw new HandshakeRefusedError(response.status, response.statusText, response.headers, body);
  }
  const accepted = validateUpgradeResponse(response, {
    key,
    protocols: options.protocols,
    extensionNames: offers.map((offer) => offer.name),
  });
  const { extensions } = acceptExtensionResponses(options.extensions, accepted.extensions, {
    maxMessageSize: limits.maxMessageSize,
  });
  if (attempt.cancelled) {
    for (const extension of extensions) extension.close();
    _throwIfCancelled(attempt);
  }
  return new Connection<Data>(new _SocketTransport(conn, leftover), {
    ...options.connection,
    limits,
    role: "client",
    protocol: accepted.protocol,
    extensions,
    url: url.href,
    headers: response.headers,
    remoteAddress: conn.remoteAddr,
  });
}

// Opens the TCP (and TLS) connection; the TLS handshake completes here so that its failure is a
// connect failure rather than a first-write one.
async function _dial(
  url: URL,
  caCerts: string[] | undefined,
  attempt: _Attempt,
): Promise<Deno.TcpConn | Deno.TlsConn> {
  const secure = url.protocol === "wss:";
  // URL.hostname keeps the brackets of an IPv6 literal; the socket API wants the bare address.
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = url.port === "" ? (secure ? 443 : 80) : Number(url.port);
  const conn = secure
    ? await Deno.connectTls(
      caCerts === undefined ? { hostname, port } : { hostname, port, caCerts },
    )
    : await Deno.connect({ hostname, port });
  attempt.conn = conn;
  _throwIfCancelled(attempt);
  if (secure) await (conn as Deno.TlsConn).handshake();
  return conn;
}

function _throwIfCancelled(attempt: _Attempt): void {
  if (!attempt.cancelled) return;
  _closeQuietly(attempt.conn);
  throw new DOMException("Cannot open WebSocket: the attempt was cancelled", "AbortError");
}

function _closeQuietly(conn: Deno.Conn | undefined): void {
  try {
    conn?.close();
  } catch {
    // Already closed.
  }
}
