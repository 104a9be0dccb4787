import { _readSome } from "../connection/_socket_transport.ts";
import { isToken } from "../protocol/header_values.ts";
import { findHeadEnd } from "../protocol/http_head.ts";

/** @internal The outcome of {@linkcode _readHead}. */
export type _HeadResult =
  /** `bytes[0, end)` is the head; `bytes[end, …)` are bytes the peer sent after it. */
  | { type: "head"; bytes: Uint8Array; end: number }
  /** The head grew past the limit before it ended. */
  | { type: "too-large" }
  /** The peer closed (or the read failed) before the head ended. */
  | { type: "closed" }
  /** What arrived cannot begin a request: it is refused before the head ends. */
  | { type: "invalid" };

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
 *
 * Bytes that cannot begin a request are refused as soon as they arrive, not when the head ends
 * or the handshake times out: a method byte that is not a token character (RFC 9110 §5.6.2), or
 * a complete first line that does not end in ` HTTP/d.d` and CRLF after a target (RFC 9112 §3).
 * The rest of the request line is judged by the parser once the head has ended. Each byte is
 * looked at once.
 */
export async function _readHead(
  reader: _ChunkReader,
  maxSize: number,
): Promise<_HeadResult> {
  let bytes: Uint8Array | null = null;
  // Bytes checked: of the method, then (once `space`, the space after it, is known) searched
  // for the first line's LF.
  let checked = 0;
  let space = -1;
  let lineChecked = false;
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
    if (!lineChecked) {
      for (; space < 0 && checked < bytes.length; checked++) {
        const b = bytes[checked]!;
        if (b === 0x20 && checked > 0) space = checked;
        else if (_TCHAR[b] !== 1) return { type: "invalid" };
      }
      if (space >= 0) {
        const lf = bytes.indexOf(0x0a, checked);
        if (lf >= 0) {
          if (!_endsAsRequestLine(bytes, space, lf)) return { type: "invalid" };
          lineChecked = true;
        } else {
          checked = bytes.length;
        }
      }
    }
    const end = findHeadEnd(bytes, from);
    if (end > maxSize || (end < 0 && bytes.length >= maxSize)) return { type: "too-large" };
    if (end >= 0) return { type: "head", bytes, end };
  }
}

// 1 for the bytes of a token (RFC 9110 §5.6.2), as `isToken` judges them, so that a byte is
// tested with one load.
const _TCHAR = new Uint8Array(256);
for (let b = 0; b < 256; b++) _TCHAR[b] = isToken(String.fromCharCode(b)) ? 1 : 0;

// Whether the line ending with the LF at `lf`, whose method ends with the space at `space`, ends
// in a space, `HTTP/d.d` and CRLF after a target of at least one byte.
function _endsAsRequestLine(bytes: Uint8Array, space: number, lf: number): boolean {
  const version = lf - 9;
  return version - 1 > space + 1 &&
    bytes[lf - 1] === 0x0d &&
    bytes[version - 1] === 0x20 &&
    bytes[version] === 0x48 && // H
    bytes[version + 1] === 0x54 && // T
    bytes[version + 2] === 0x54 && // T
    bytes[version + 3] === 0x50 && // P
    bytes[version + 4] === 0x2f && // /
    _isDigit(bytes[version + 5]!) &&
    bytes[version + 6] === 0x2e && // .
    _isDigit(bytes[version + 7]!);
}

function _isDigit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}
