import { HandshakeError } from "../protocol/errors.ts";
import { BrowserConnection } from "./browser_connection.ts";
import type { ConnectOptions } from "./connect_options.ts";
import { _resolveConnectOptions } from "./_resolve_connect_options.ts";

/**
 * @internal `connect()` over the platform `WebSocket`. Options the platform cannot honour are
 * refused up front rather than silently ignored.
 */
export async function _connectBrowser<Data>(
  url: string | URL,
  options: ConnectOptions<Data>,
): Promise<BrowserConnection<Data>> {
  for (const name of ["headers", "origin", "caCerts", "extensions"] as const) {
    if (options[name] !== undefined) {
      throw new TypeError(
        `Cannot connect: option ${name} is not available with the platform WebSocket`,
      );
    }
  }
  const resolved = _resolveConnectOptions(url, options);
  const { signal, handshakeTimeout } = resolved;
  signal?.throwIfAborted();
  const { data, closeTimeout, maxBufferedAmount, slowConsumer } = options;
  const socket = new WebSocket(resolved.url.href, [...resolved.protocols]);
  const conn = new BrowserConnection<Data>(socket, {
    ...(data === undefined ? {} : { data }),
    ...(closeTimeout === undefined ? {} : { closeTimeout }),
    ...(maxBufferedAmount === undefined ? {} : { maxBufferedAmount }),
    ...(slowConsumer === undefined ? {} : { slowConsumer }),
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  let onOpen: (() => void) | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      onOpen = resolve;
      socket.addEventListener("open", onOpen, { once: true });
      // The platform reports no status or reason for a failed handshake.
      conn.closed.then(() =>
        reject(new HandshakeError(502, "Cannot open WebSocket: the connection failed"))
      );
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
  } catch (error) {
    socket.close();
    await conn.closed;
    throw error;
  } finally {
    clearTimeout(timer);
    if (onOpen !== undefined) socket.removeEventListener("open", onOpen);
    if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
  }
  return conn;
}
