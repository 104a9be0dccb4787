import { HandshakeError } from "../protocol/errors.ts";
import { findHeadEnd } from "../protocol/http_head.ts";

/** @internal Where the handshake response is read from. */
export interface _ResponseReader {
  read(): Promise<ReadableStreamReadResult<Uint8Array>>;
}

/** @internal The response head and the bytes read past it. */
export interface _HeadRead {
  head: Uint8Array;
  leftover: Uint8Array;
}

/**
 * @internal Reads until the end of the response head. At most `limit` bytes of head are
 * accepted; the buffer never grows past `limit` plus one read.
 */
export async function _readResponseHead(
  reader: _ResponseReader,
  limit: number,
): Promise<_HeadRead> {
  let buffer: Uint8Array = new Uint8Array(0);
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      throw new HandshakeError(502, "Cannot open WebSocket: connection closed before a response");
    }
    const from = Math.max(0, buffer.length - 3);
    buffer = buffer.length === 0 ? value : _concat(buffer, value);
    const end = findHeadEnd(buffer, from);
    if (end > limit || (end < 0 && buffer.length >= limit)) {
      throw new HandshakeError(
        502,
        `Cannot open WebSocket: response head exceeds maxHandshakeHeadSize (${limit} bytes)`,
      );
    }
    if (end >= 0) return { head: buffer.subarray(0, end), leftover: buffer.subarray(end) };
  }
}

/**
 * @internal Reads the body of a refusal, at most `limit` bytes: by `Content-Length`, or chunked
 * (decoded). Without either, only the bytes already read are kept: such a body ends when the
 * server closes, and waiting for that would delay the refusal.
 */
export async function _readResponseBody(
  reader: _ResponseReader,
  headers: Headers,
  leftover: Uint8Array,
  limit: number,
): Promise<Uint8Array> {
  const chunked = /(^|,)\s*chunked\s*$/i.test(headers.get("transfer-encoding") ?? "");
  const length = Number(headers.get("content-length") ?? Number.NaN);
  let want = Number.isSafeInteger(length) && length >= 0 ? Math.min(length, limit) : 0;
  // A chunked body carries framing (sizes, CRLFs); allow for it.
  if (chunked) want = limit + 1024;
  let body = leftover.slice(0, want);
  while (body.length < want && !(chunked && _endsChunked(body))) {
    const { value, done } = await reader.read();
    if (done) break;
    body = _concat(body, value.subarray(0, want - body.length));
  }
  return chunked ? _decodeChunked(body).subarray(0, limit) : body;
}

function _endsChunked(raw: Uint8Array): boolean {
  const n = raw.length;
  // "0\r\n\r\n": the last chunk with no trailer fields (RFC 9112 §7.1).
  return n >= 5 && raw[n - 5] === 0x30 && raw[n - 4] === 0x0d && raw[n - 3] === 0x0a &&
    raw[n - 2] === 0x0d && raw[n - 1] === 0x0a;
}

// Best effort: decodes complete chunks and stops at the first malformed or truncated one.
function _decodeChunked(raw: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = raw.indexOf(0x0d, at);
    if (lineEnd < 0) break;
    const sizeText = new TextDecoder().decode(raw.subarray(at, lineEnd)).split(";")[0]!.trim();
    const size = /^[0-9a-fA-F]{1,8}$/.test(sizeText) ? parseInt(sizeText, 16) : 0;
    if (size === 0) break;
    const start = lineEnd + 2;
    parts.push(raw.subarray(start, Math.min(start + size, raw.length)));
    at = start + size + 2;
    if (at > raw.length) break;
  }
  let joined = new Uint8Array(0);
  for (const part of parts) joined = _concat(joined, part);
  return joined;
}

function _concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
