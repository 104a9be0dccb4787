import { _sha1 } from "./_sha1.ts";
import { HandshakeError } from "./errors.ts";
import { formatResponseHead } from "./http_head.ts";
import {
  type ExtensionOffer,
  formatExtensionHeader,
  parseExtensionHeader,
  parseProtocolHeader,
} from "./header_values.ts";

/**
 * The GUID that RFC 6455 §1.3 appends to the key before hashing it.
 *
 * @example
 * ```ts
 * import { WEBSOCKET_GUID } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(WEBSOCKET_GUID, "258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
 * ```
 */
export const WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

const _encoder = new TextEncoder();

/**
 * Computes `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key` (RFC 6455 §4.2.2): base64 of the
 * SHA-1 of the key followed by the GUID. Synchronous.
 *
 * @example The RFC 6455 §1.3 example
 * ```ts
 * import { computeAcceptKey } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(computeAcceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
 * ```
 */
export function computeAcceptKey(key: string): string {
  return _base64(_sha1(_encoder.encode(key + WEBSOCKET_GUID)));
}

/**
 * A fresh `Sec-WebSocket-Key`: 16 random bytes, base64 (RFC 6455 §4.1).
 *
 * @example
 * ```ts
 * import { generateKey, isValidKey } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isValidKey(generateKey()), true);
 * ```
 */
export function generateKey(): string {
  return _base64(crypto.getRandomValues(new Uint8Array(16)));
}

/**
 * Whether `key` is a valid `Sec-WebSocket-Key`: base64 that decodes to exactly 16 bytes.
 *
 * @example
 * ```ts
 * import { isValidKey } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isValidKey("dGhlIHNhbXBsZSBub25jZQ=="), true);
 * assert.equal(isValidKey("dGhlIHNhbXBsZQ=="), false); // 11 bytes
 * ```
 */
export function isValidKey(key: string): boolean {
  // 16 bytes encode to 22 base64 characters and "==". The last character carries 2 bits, so it
  // must be one of A, Q, g, w for a canonical encoding.
  return /^[A-Za-z0-9+/]{21}[AQgw]==$/.test(key);
}

/** What {@linkcode validateUpgradeRequest} needs of a request. A `Request` fits. */
export interface UpgradeRequestLike {
  /** HTTP method. */
  method: string;
  /** Request headers. */
  headers: Headers;
  /**
   * HTTP version from the request line, such as `"HTTP/1.1"`, when known (the Fetch `Request`
   * does not carry it).
   */
  httpVersion?: string;
}

/** A valid opening handshake, as returned by {@linkcode validateUpgradeRequest}. */
export interface UpgradeRequest {
  /** The client's `Sec-WebSocket-Key`. */
  key: string;
  /** Subprotocols the client offered, in its order of preference. */
  protocols: string[];
  /** Extensions the client offered, in its order of preference. */
  extensions: ExtensionOffer[];
}

/**
 * Validates a client's opening handshake (RFC 6455 §4.2.1).
 *
 * @throws {HandshakeError} 405 (with `Allow: GET`) for another method; 400 for HTTP below 1.1, a
 * missing or wrong `Connection`/`Upgrade`, a bad `Sec-WebSocket-Key`, malformed
 * protocol/extension headers, or a request body (`Transfer-Encoding`, or a `Content-Length` other
 * than 0); 426 with `Sec-WebSocket-Version: 13` for a missing or unsupported version.
 *
 * @example
 * ```ts
 * import { validateUpgradeRequest } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const request = new Request("http://localhost/", {
 *   headers: {
 *     upgrade: "websocket",
 *     connection: "keep-alive, Upgrade",
 *     "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
 *     "sec-websocket-version": "13",
 *     "sec-websocket-protocol": "chat, superchat",
 *   },
 * });
 * const upgrade = validateUpgradeRequest(request);
 * assert.deepEqual(upgrade.protocols, ["chat", "superchat"]);
 *
 * const old = new Request("http://localhost/", { headers: { ...Object.fromEntries(request.headers), "sec-websocket-version": "8" } });
 * assert.throws(() => validateUpgradeRequest(old), { status: 426 });
 * ```
 */
export function validateUpgradeRequest(request: UpgradeRequestLike): UpgradeRequest {
  const { headers } = request;
  if (request.method !== "GET") {
    throw new HandshakeError(405, `Cannot upgrade: method ${request.method} is not GET`, {
      headers: { allow: "GET" },
    });
  }
  if (
    request.httpVersion !== undefined &&
    !/^HTTP\/(1\.[1-9]|[2-9](\.\d)?)$/.test(request.httpVersion)
  ) {
    throw new HandshakeError(400, `Cannot upgrade: ${request.httpVersion} is older than HTTP/1.1`);
  }
  if (!_hasToken(headers.get("upgrade"), "websocket")) {
    throw new HandshakeError(400, "Cannot upgrade: Upgrade header is not websocket");
  }
  if (!_hasToken(headers.get("connection"), "upgrade")) {
    throw new HandshakeError(400, "Cannot upgrade: Connection header lacks the upgrade token");
  }
  const version = headers.get("sec-websocket-version");
  if (version?.trim() !== "13") {
    throw new HandshakeError(426, "Cannot upgrade: Sec-WebSocket-Version must be 13", {
      headers: { "sec-websocket-version": "13" },
    });
  }
  const key = headers.get("sec-websocket-key")?.trim() ?? "";
  if (!isValidKey(key)) {
    throw new HandshakeError(400, "Cannot upgrade: Sec-WebSocket-Key is not 16 bytes of base64");
  }
  // Bytes after the request head are the client's first frames: a body would be read as frames.
  // `Content-Length: 0` is allowed (the JDK's client sends it with every GET).
  if (headers.get("transfer-encoding") !== null) {
    throw new HandshakeError(400, "Cannot upgrade: the request has a body (Transfer-Encoding)");
  }
  const contentLength = headers.get("content-length");
  if (contentLength !== null && !/^\s*0+\s*$/.test(contentLength)) {
    throw new HandshakeError(400, "Cannot upgrade: the request has a body (Content-Length)");
  }
  return {
    key,
    protocols: parseProtocolHeader(headers.get("sec-websocket-protocol")),
    extensions: parseExtensionHeader(headers.get("sec-websocket-extensions")),
  };
}

/** Options for {@linkcode createUpgradeResponseHeaders}. */
export interface UpgradeResponseOptions {
  /** The chosen subprotocol; must be one the client offered. */
  protocol?: string | undefined;
  /** The accepted extensions, exactly as the server agrees to use them. */
  extensions?: readonly ExtensionOffer[] | undefined;
  /** Extra headers (e.g. `Set-Cookie`). */
  headers?: HeadersInit | undefined;
}

/**
 * Builds the headers of the `101 Switching Protocols` response (RFC 6455 §4.2.2).
 *
 * @example
 * ```ts
 * import { createUpgradeResponseHeaders } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const headers = createUpgradeResponseHeaders("dGhlIHNhbXBsZSBub25jZQ==", { protocol: "chat" });
 * assert.equal(headers.get("sec-websocket-accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
 * assert.equal(headers.get("sec-websocket-protocol"), "chat");
 * ```
 */
export function createUpgradeResponseHeaders(
  key: string,
  options: UpgradeResponseOptions = {},
): Headers {
  const headers = new Headers(options.headers);
  headers.set("upgrade", "websocket");
  headers.set("connection", "Upgrade");
  headers.set("sec-websocket-accept", computeAcceptKey(key));
  if (options.protocol !== undefined) headers.set("sec-websocket-protocol", options.protocol);
  if (options.extensions !== undefined && options.extensions.length > 0) {
    headers.set("sec-websocket-extensions", formatExtensionHeader(options.extensions));
  }
  return headers;
}

/**
 * @internal The `101 Switching Protocols` response head, byte for byte what
 * `formatResponseHead(101, "Switching Protocols", createUpgradeResponseHeaders(key, options))`
 * writes. Without extra headers (the common case) the head is written directly: a `Headers` made,
 * sorted and iterated per handshake is most of the garbage an upgrade leaves.
 */
export function _formatUpgradeResponse(
  key: string,
  options: UpgradeResponseOptions = {},
): Uint8Array {
  const { protocol } = options;
  const extensions = options.extensions !== undefined && options.extensions.length > 0
    ? formatExtensionHeader(options.extensions)
    : undefined;
  if (
    options.headers !== undefined || (protocol !== undefined && !_PLAIN_VALUE.test(protocol)) ||
    (extensions !== undefined && !_PLAIN_VALUE.test(extensions))
  ) {
    return formatResponseHead(
      101,
      "Switching Protocols",
      createUpgradeResponseHeaders(key, options),
    );
  }
  // In the order `Headers` iterates: names sorted.
  let head = "HTTP/1.1 101 Switching Protocols\r\nconnection: Upgrade\r\n" +
    `sec-websocket-accept: ${computeAcceptKey(key)}\r\n`;
  if (extensions !== undefined) head += `sec-websocket-extensions: ${extensions}\r\n`;
  if (protocol !== undefined) head += `sec-websocket-protocol: ${protocol}\r\n`;
  return _encoder.encode(head + "upgrade: websocket\r\n\r\n");
}

// A header value that `Headers` keeps as it is: visible ASCII, inner spaces only. Anything else
// goes through `Headers`, which trims it or refuses it.
const _PLAIN_VALUE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/** What {@linkcode validateUpgradeResponse} needs of a response. */
export interface UpgradeResponseLike {
  /** HTTP status code. */
  status: number;
  /** Response headers. */
  headers: Headers;
}

/** What the client offered, for {@linkcode validateUpgradeResponse}. */
export interface ClientOffer {
  /** The `Sec-WebSocket-Key` the client sent. */
  key: string;
  /** Subprotocols the client offered. */
  protocols?: readonly string[];
  /** Extension names the client offered. */
  extensionNames?: readonly string[];
}

/** The server's answer, as returned by {@linkcode validateUpgradeResponse}. */
export interface UpgradeResponse {
  /** The subprotocol the server chose, or `""` for none. */
  protocol: string;
  /** The extensions the server accepted. */
  extensions: ExtensionOffer[];
}

/**
 * Validates a server's handshake response on the client side (RFC 6455 §4.1, steps 1–6 of the
 * response checks): status 101, `Upgrade`/`Connection`, the accept key, a subprotocol that was
 * offered and only extensions that were offered.
 *
 * @throws {HandshakeError} with the response status when the server refused or answered
 * incorrectly.
 *
 * @example
 * ```ts
 * import { createUpgradeResponseHeaders, validateUpgradeResponse } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const key = "dGhlIHNhbXBsZSBub25jZQ==";
 * const headers = createUpgradeResponseHeaders(key, { protocol: "chat" });
 * const result = validateUpgradeResponse({ status: 101, headers }, { key, protocols: ["chat"] });
 * assert.equal(result.protocol, "chat");
 * assert.throws(() => validateUpgradeResponse({ status: 101, headers }, { key, protocols: [] }));
 * ```
 */
export function validateUpgradeResponse(
  response: UpgradeResponseLike,
  offer: ClientOffer,
): UpgradeResponse {
  const { status, headers } = response;
  const fail = (message: string): never => {
    throw new HandshakeError(status, `Cannot open WebSocket: ${message}`);
  };
  if (status !== 101) fail(`server answered ${status} instead of 101`);
  if (!_hasToken(headers.get("upgrade"), "websocket")) fail("Upgrade header is not websocket");
  if (!_hasToken(headers.get("connection"), "upgrade")) fail("Connection header lacks upgrade");
  if (headers.get("sec-websocket-accept")?.trim() !== computeAcceptKey(offer.key)) {
    fail("Sec-WebSocket-Accept does not match the key");
  }
  const protocol = headers.get("sec-websocket-protocol")?.trim() ?? "";
  if (protocol !== "" && !(offer.protocols ?? []).includes(protocol)) {
    fail(`server chose subprotocol "${protocol}" that was not offered`);
  }
  let extensions: ExtensionOffer[] = [];
  try {
    extensions = parseExtensionHeader(headers.get("sec-websocket-extensions"));
  } catch (cause) {
    throw new HandshakeError(status, "Cannot open WebSocket: malformed Sec-WebSocket-Extensions", {
      cause,
    });
  }
  const offered = (offer.extensionNames ?? []).map((name) => name.toLowerCase());
  for (const extension of extensions) {
    if (!offered.includes(extension.name.toLowerCase())) {
      fail(`server accepted extension "${extension.name}" that was not offered`);
    }
  }
  return { protocol, extensions };
}

// Whether a comma-separated header value contains `token` (case-insensitive).
function _hasToken(value: string | null, token: string): boolean {
  if (value === null) return false;
  return value.split(",").some((part) => part.trim().toLowerCase() === token);
}

function _base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary);
}
