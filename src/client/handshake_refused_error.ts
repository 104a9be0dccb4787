import { HandshakeError } from "../protocol/errors.ts";

/**
 * The server answered the opening handshake with a status other than 101, so no WebSocket was
 * opened. `status` is the server's status; `headers` are the server's response headers (so that
 * {@linkcode HandshakeError.toResponse} relays them); `body` holds the start of the response
 * body, at most `limits.maxHandshakeHeadSize` bytes.
 *
 * @example
 * ```ts
 * import { HandshakeRefusedError } from "@aero/socket/client";
 * import { HandshakeError } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const error = new HandshakeRefusedError(403, "Forbidden", new Headers(), new TextEncoder().encode("no"));
 * assert.ok(error instanceof HandshakeError);
 * assert.equal(error.status, 403);
 * assert.equal(error.text(), "no");
 * ```
 */
export class HandshakeRefusedError extends HandshakeError {
  /** The reason phrase of the server's status line. */
  readonly statusText: string;
  /** The start of the response body (a copy), empty when there was none. */
  readonly body: Uint8Array;

  /** Creates the error from the server's status line, headers and (truncated) body. */
  constructor(status: number, statusText: string, headers: Headers, body: Uint8Array) {
    super(status, `Cannot open WebSocket: server answered ${status} ${statusText}`.trimEnd(), {
      headers,
    });
    this.name = "HandshakeRefusedError";
    this.statusText = statusText;
    this.body = body;
  }

  /** The body decoded as UTF-8 (invalid bytes replaced). */
  text(): string {
    return new TextDecoder().decode(this.body);
  }
}
