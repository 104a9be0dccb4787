import { CLOSE_CODE } from "./close_code.ts";

/**
 * Machine-readable reasons a peer's bytes were rejected. Every code is listed in `docs/ERRORS.md`.
 *
 * @example Tell why a frame was refused
 * ```ts
 * import { createFrameDecoder, PROTOCOL_ERROR_CODE, ProtocolError } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * // An unmasked text frame sent to a server.
 * const decoder = createFrameDecoder({ role: "server" });
 * assert.throws(() => decoder.push(new Uint8Array([0x81, 0x00]), () => {}), (error) => {
 *   assert.ok(error instanceof ProtocolError);
 *   assert.equal(error.code, PROTOCOL_ERROR_CODE.UNMASKED_FRAME);
 *   assert.equal(error.closeCode, 1002);
 *   return true;
 * });
 * ```
 */
export const PROTOCOL_ERROR_CODE = {
  /** A reserved opcode (0x3–0x7, 0xB–0xF) was received. */
  RESERVED_OPCODE: "RESERVED_OPCODE",
  /** RSV1/2/3 was set without an extension that claims the bit. */
  RESERVED_BITS: "RESERVED_BITS",
  /** A server received an unmasked frame. */
  UNMASKED_FRAME: "UNMASKED_FRAME",
  /** A client received a masked frame. */
  MASKED_FRAME: "MASKED_FRAME",
  /** A 64-bit payload length had its most significant bit set. */
  INVALID_LENGTH: "INVALID_LENGTH",
  /** A control frame was fragmented (FIN clear). */
  FRAGMENTED_CONTROL: "FRAGMENTED_CONTROL",
  /** A control frame carried more than 125 payload bytes. */
  CONTROL_TOO_LONG: "CONTROL_TOO_LONG",
  /** A continuation frame arrived with no message in progress. */
  UNEXPECTED_CONTINUATION: "UNEXPECTED_CONTINUATION",
  /** A new data frame arrived while a fragmented message was still in progress. */
  EXPECTED_CONTINUATION: "EXPECTED_CONTINUATION",
  /** A close frame carried a one-byte payload. */
  INVALID_CLOSE_PAYLOAD: "INVALID_CLOSE_PAYLOAD",
  /** A close frame carried a status code not allowed on the wire. */
  INVALID_CLOSE_CODE: "INVALID_CLOSE_CODE",
  /** A text message or close reason was not valid UTF-8. */
  INVALID_UTF8: "INVALID_UTF8",
  /** A frame exceeded `maxFrameSize`. */
  FRAME_TOO_BIG: "FRAME_TOO_BIG",
  /** A message exceeded `maxMessageSize`. */
  MESSAGE_TOO_BIG: "MESSAGE_TOO_BIG",
  /** A message exceeded `maxFragments`. */
  TOO_MANY_FRAGMENTS: "TOO_MANY_FRAGMENTS",
  /** The byte stream ended in the middle of a frame. */
  TRUNCATED_FRAME: "TRUNCATED_FRAME",
  /** An extension could not decode a frame (e.g. corrupt compressed data) or encode a message. */
  EXTENSION_ERROR: "EXTENSION_ERROR",
  /** A frame or message arrived after the close frame. */
  DATA_AFTER_CLOSE: "DATA_AFTER_CLOSE",
} as const;

/** One of the {@linkcode PROTOCOL_ERROR_CODE} values. */
export type ProtocolErrorCode = typeof PROTOCOL_ERROR_CODE[keyof typeof PROTOCOL_ERROR_CODE];

/** Options for {@linkcode ProtocolError}. */
export interface ProtocolErrorOptions extends ErrorOptions {
  /**
   * The close code to send to the peer.
   *
   * @default {1002}
   */
  closeCode?: number;
}

/**
 * A peer violated RFC 6455 (or a configured limit). Carries the close code the connection must
 * be failed with: 1002 for framing errors, 1007 for invalid UTF-8, 1009 for size limits.
 *
 * @example
 * ```ts
 * import { ProtocolError } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const error = new ProtocolError("INVALID_UTF8", "Cannot decode text: invalid UTF-8", {
 *   closeCode: 1007,
 * });
 * assert.equal(error.closeCode, 1007);
 * assert.equal(error.name, "ProtocolError");
 * ```
 */
export class ProtocolError extends Error {
  /** Machine-readable reason. */
  readonly code: ProtocolErrorCode;
  /** The close code to fail the connection with. */
  readonly closeCode: number;

  /** Creates an error with a `code`, a message and the close code to send. */
  constructor(code: ProtocolErrorCode, message: string, options: ProtocolErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ProtocolError";
    this.code = code;
    this.closeCode = options.closeCode ?? CLOSE_CODE.PROTOCOL_ERROR;
  }
}

/**
 * An opening handshake was refused. Carries the HTTP status to answer with and any headers the
 * response needs (`Sec-WebSocket-Version: 13` with 426, for example).
 *
 * @example
 * ```ts
 * import { HandshakeError } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const error = new HandshakeError(400, "Cannot upgrade: missing Sec-WebSocket-Key");
 * const response = error.toResponse();
 * assert.equal(response.status, 400);
 * assert.equal(await response.text(), "Cannot upgrade: missing Sec-WebSocket-Key\n");
 * ```
 */
export class HandshakeError extends Error {
  /** HTTP status code of the refusal. */
  readonly status: number;
  /** Extra response headers. */
  readonly headers: Headers;

  /** Creates a refusal with an HTTP status, a message and optional response headers. */
  constructor(
    status: number,
    message: string,
    options: ErrorOptions & { headers?: HeadersInit } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "HandshakeError";
    this.status = status;
    this.headers = new Headers(options.headers);
  }

  /** Renders the refusal as an HTTP response with a plain-text body. */
  toResponse(): Response {
    const headers = new Headers(this.headers);
    headers.set("content-type", "text/plain; charset=utf-8");
    return new Response(`${this.message}\n`, { status: this.status, headers });
  }
}
