import type { _ChunkReader } from "./_read_head.ts";
import { formatResponseHead } from "../protocol/http_head.ts";
import { _writeAll } from "../connection/_socket_transport.ts";

const _REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  426: "Upgrade Required",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
  505: "HTTP Version Not Supported",
};

// Bytes read and discarded, at most, while lingering before the close.
const _LINGER_BYTES = 256 * 1024;
// Milliseconds spent lingering, at most.
const _LINGER_MS = 1_000;

/**
 * @internal Writes `response` as a complete HTTP/1.1 response that ends the connection
 * (`Connection: close`, exact `Content-Length`), then closes the connection gracefully: write
 * side first, then a bounded drain of what the peer still sends, so that unread request bytes
 * do not turn the close into a reset that destroys the response before the peer reads it.
 * Never throws.
 */
export async function _respondAndClose(
  conn: Deno.Conn,
  reader: _ChunkReader,
  response: Response,
  method: string,
): Promise<void> {
  try {
    const body = method === "HEAD" ? new Uint8Array(0) : await response.bytes();
    const headers = new Headers(response.headers);
    headers.set("content-length", String(body.length));
    headers.set("connection", "close");
    const status = response.status;
    const head = formatResponseHead(status, response.statusText || _REASONS[status] || "", headers);
    const bytes = new Uint8Array(head.length + body.length);
    bytes.set(head);
    bytes.set(body, head.length);
    await _writeAll(conn, bytes);
    await conn.closeWrite();
    await _linger(conn, reader);
  } catch {
    // The peer is gone; nothing more to tell it.
  }
  _closeQuietly(conn);
}

async function _linger(
  conn: Deno.Conn,
  reader: _ChunkReader,
): Promise<void> {
  const timer = setTimeout(() => _closeQuietly(conn), _LINGER_MS);
  try {
    let total = 0;
    while (total < _LINGER_BYTES) {
      const { value, done } = await reader.read();
      if (done) break;
      total += value.length;
    }
  } finally {
    clearTimeout(timer);
  }
}

/** @internal Closes a connection that may already be closed. */
export function _closeQuietly(conn: { close(): void }): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}
