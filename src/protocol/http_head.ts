import { HandshakeError } from "./errors.ts";
import { isToken } from "./header_values.ts";

const _CRLF_CRLF = [0x0d, 0x0a, 0x0d, 0x0a];
const _encoder = new TextEncoder();
const _utf8 = new TextDecoder();

/**
 * Finds the end of an HTTP head (the blank line after the headers) in `bytes`, scanning from
 * `from` (pass the previous length minus 3 when bytes arrive in pieces). Returns the index just
 * past `\r\n\r\n`, or `-1` when the head is not complete yet.
 *
 * @example
 * ```ts
 * import { findHeadEnd } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const bytes = new TextEncoder().encode("GET / HTTP/1.1\r\nHost: a\r\n\r\nrest");
 * assert.equal(findHeadEnd(bytes), bytes.length - 4);
 * assert.equal(findHeadEnd(bytes.subarray(0, 20)), -1);
 * ```
 */
export function findHeadEnd(bytes: Uint8Array, from = 0): number {
  let i = Math.max(0, from);
  for (;;) {
    i = bytes.indexOf(0x0d, i);
    if (i < 0 || i + 3 >= bytes.length) return -1;
    if (
      bytes[i + 1] === _CRLF_CRLF[1] && bytes[i + 2] === _CRLF_CRLF[2] &&
      bytes[i + 3] === _CRLF_CRLF[3]
    ) {
      return i + 4;
    }
    i++;
  }
}

/** A parsed HTTP/1.x request head. */
export interface RequestHead {
  /** Request method, e.g. `"GET"`. */
  method: string;
  /** Request target as sent, e.g. `"/chat?room=a"`. */
  target: string;
  /** Protocol version, e.g. `"HTTP/1.1"`. */
  httpVersion: string;
  /** Header fields (repeated fields joined with `", "`). */
  headers: Headers;
}

/** A parsed HTTP/1.x response head. */
export interface ResponseHead {
  /** Protocol version, e.g. `"HTTP/1.1"`. */
  httpVersion: string;
  /** Status code. */
  status: number;
  /** Reason phrase. */
  statusText: string;
  /** Header fields (repeated fields joined with `", "`). */
  headers: Headers;
}

/**
 * Parses an HTTP/1.x request head (request line and header fields, RFC 9112 §3, §5), as found by
 * {@linkcode findHeadEnd}. Strict: obsolete line folding, bare LF, whitespace before a colon and
 * invalid field names or values are refused, so no proxy can read the head differently.
 *
 * @throws {HandshakeError} 400 for a malformed head; 505 for an HTTP version other than 1.x.
 *
 * @example
 * ```ts
 * import { parseRequestHead } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const head = parseRequestHead(new TextEncoder().encode("GET /chat HTTP/1.1\r\nHost: example.com\r\n\r\n"));
 * assert.equal(head.target, "/chat");
 * assert.equal(head.headers.get("host"), "example.com");
 * ```
 */
export function parseRequestHead(bytes: Uint8Array): RequestHead {
  return _parseRequestHead(_latin1(bytes));
}

/**
 * @internal {@linkcode parseRequestHead} of a head already turned into text by
 * {@linkcode _headText}, for a caller that keeps the text.
 */
export function _parseRequestHead(text: string): RequestHead {
  const [startLine, headers] = _parseHeadText(text, 400);
  const match = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\S+) (HTTP\/\d\.\d)$/.exec(startLine);
  if (match === null) throw new HandshakeError(400, "Cannot parse request: malformed request line");
  const [, method, target, httpVersion] = match as unknown as [string, string, string, string];
  if (!httpVersion.startsWith("HTTP/1.")) {
    throw new HandshakeError(505, `Cannot parse request: unsupported ${httpVersion}`);
  }
  return { method, target, httpVersion, headers };
}

/**
 * Parses an HTTP/1.x response head (status line and header fields).
 *
 * @throws {HandshakeError} 502 for a malformed head.
 *
 * @example
 * ```ts
 * import { parseResponseHead } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const head = parseResponseHead(new TextEncoder().encode("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"));
 * assert.equal(head.status, 101);
 * assert.equal(head.headers.get("upgrade"), "websocket");
 * ```
 */
export function parseResponseHead(bytes: Uint8Array): ResponseHead {
  const [startLine, headers] = _parseHead(bytes, 502);
  const match = /^(HTTP\/1\.\d) (\d{3})(?: ([^\r\n]*))?$/.exec(startLine);
  if (match === null) throw new HandshakeError(502, "Cannot parse response: malformed status line");
  return {
    httpVersion: match[1]!,
    status: Number(match[2]),
    statusText: match[3] ?? "",
    headers,
  };
}

/**
 * Formats a response head: status line, headers, blank line.
 *
 * @example
 * ```ts
 * import { formatResponseHead } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const bytes = formatResponseHead(101, "Switching Protocols", new Headers({ upgrade: "websocket" }));
 * assert.equal(new TextDecoder().decode(bytes), "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\n\r\n");
 * ```
 */
export function formatResponseHead(
  status: number,
  statusText: string,
  headers: Headers,
): Uint8Array {
  let head = `HTTP/1.1 ${status} ${statusText}\r\n`;
  for (const [name, value] of headers) head += `${name}: ${value}\r\n`;
  return _encoder.encode(head + "\r\n");
}

function _parseHead(bytes: Uint8Array, status = 400): [string, Headers] {
  return _parseHeadText(_latin1(bytes), status);
}

/**
 * @internal A head's bytes as text (ISO-8859-1, one character per byte), in a string of its own:
 * what a connection keeps to make its request headers on first use ({@linkcode _headersOfHead}),
 * which takes a third of the memory of a `Headers` object.
 */
export function _headText(bytes: Uint8Array): string {
  return _latin1(bytes);
}

/**
 * @internal The header fields of a head's text that {@linkcode parseRequestHead} accepted, as
 * `Headers`.
 */
export function _headersOfHead(text: string): Headers {
  return _parseHeadText(text, 400)[1];
}

/**
 * @internal A function that makes the header fields of a head's text, for a connection that keeps
 * the text instead of the `Headers` (about a third of the memory) until its `info.headers` is read.
 * A function of its own, so that the closure holds the text only.
 */
export function _headersLater(text: string): () => Headers {
  return () => _headersOfHead(text);
}

/**
 * @internal The text of a request head with `headers`, in one flat string of its own (a joined
 * string would keep its pieces).
 */
export function _headTextOf(headers: Headers): string {
  const lines = ["GET / HTTP/1.1"];
  for (const [name, value] of headers) lines.push(`${name}: ${value}`);
  lines.push("", "");
  return lines.join("\r\n");
}

function _parseHeadText(text: string, status: number): [string, Headers] {
  if (!text.endsWith("\r\n\r\n")) throw new HandshakeError(status, "Cannot parse head: incomplete");
  const lines = text.slice(0, -4).split("\r\n");
  const headers = new Headers();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(":");
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    // RFC 9112 §5.1: no whitespace between name and colon; §5.2: no obsolete line folding.
    if (colon <= 0 || !isToken(name) || /[\0\r\n]/.test(value)) {
      throw new HandshakeError(status, `Cannot parse head: malformed header line ${i}`);
    }
    headers.append(_own(name), _own(value));
  }
  const startLine = lines[0]!;
  if (startLine.includes("\n")) throw new HandshakeError(status, "Cannot parse head: bare LF");
  return [startLine, headers];
}

// A copy of `text` that shares no memory with the string it was cut from: a server keeps a
// connection's headers for its lifetime, and a value cut from the head's text would keep the whole
// text alive. Shorter cuts are copied by the engine anyway.
function _own(text: string): string {
  return text.length < 13 ? text : JSON.parse(JSON.stringify(text));
}

// ISO-8859-1, one code point per byte. `TextDecoder("latin1")` is windows-1252 under WHATWG and
// maps 0x80–0x9F above U+00FF, which `Headers` refuses with a TypeError instead of a 400. A head
// is nearly always ASCII, which UTF-8 decodes to the same text without an argument list per byte.
function _latin1(bytes: Uint8Array): string {
  if (_isAscii(bytes)) return _utf8.decode(bytes);
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x2000) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x2000) as unknown as number[]);
  }
  return text;
}

function _isAscii(bytes: Uint8Array): boolean {
  let bits = 0;
  for (let i = 0; i < bytes.length; i++) bits |= bytes[i]!;
  return bits < 0x80;
}
