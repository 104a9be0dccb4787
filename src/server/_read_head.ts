import { _readSome } from "../connection/_socket_transport.ts";
import { findHeadEnd } from "../protocol/http_head.ts";

/** @internal The outcome of {@linkcode _readHead}. */
export type _HeadResult =
  /** `bytes[0, end)` is the head; `bytes[end, …)` are bytes the peer sent after it. */
  | { type: "head"; bytes: Uint8Array; end: number }
  /** The head grew past the limit before it ended. */
  | { type: "too-large" }
  /** The peer closed (or the read failed) before the head ended. */
  | { type: "closed" };

/** @internal The reading side of a socket during the opening handshake. */
export interface _ChunkReader {
  read(): Promise<ReadableStreamReadResult<Uint8Array>>;
  releaseLock(): void;
  cancel(reason?: unknown): Promise<void>;
}

// Request heads are read in reads of this size (a typical upgrade request is under 1 KiB). A
// plain reader of a socket's stream allocates 64 KiB per read.
const _HEAD_READ = 4 * 1024;

/**
 * @internal A reader of a socket with `conn.read`, into small fresh buffers. The socket's
 * `readable` is left uncreated: a connection that lives on after the handshake would otherwise
 * keep that stream (the socket caches it) for its lifetime.
 */
export function _openReader(conn: Deno.Conn): _ChunkReader {
  return {
    read: () => _readSome(conn, _HEAD_READ),
    releaseLock: () => {},
    cancel: () => {
      try {
        conn.close();
      } catch {
        // Already closed.
      }
      return Promise.resolve();
    },
  };
}

/**
 * @internal Reads an HTTP request head from `reader`, in whatever chunks the transport delivers,
 * never holding more than `maxSize` bytes plus one chunk. The first chunk is used as it is when
 * it holds the whole head (the common case); pieces are joined only when the head spans reads.
 * Rejects when the read fails (e.g. the handshake timeout closed the connection).
 */
export async function _readHead(
  reader: _ChunkReader,
  maxSize: number,
): Promise<_HeadResult> {
  let bytes: Uint8Array | null = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return { type: "closed" };
    if (value.length === 0) continue;
    const from = bytes === null ? 0 : Math.max(0, bytes.length - 3);
    if (bytes === null) {
      bytes = value;
    } else {
      const joined: Uint8Array = new Uint8Array(bytes.length + value.length);
      joined.set(bytes);
      joined.set(value, bytes.length);
      bytes = joined;
    }
    const end = findHeadEnd(bytes, from);
    if (end > maxSize || (end < 0 && bytes.length >= maxSize)) return { type: "too-large" };
    if (end >= 0) return { type: "head", bytes, end };
  }
}
