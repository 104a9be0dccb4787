/**
 * Close status codes (RFC 6455 §7.4.1, §11.7 and the IANA registry).
 *
 * @example
 * ```ts
 * import { CLOSE_CODE, isValidCloseCode } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isValidCloseCode(CLOSE_CODE.NORMAL), true);
 * assert.equal(isValidCloseCode(CLOSE_CODE.NO_STATUS), false);
 * ```
 */
export const CLOSE_CODE = {
  /** The purpose of the connection has been fulfilled. */
  NORMAL: 1000,
  /** The endpoint is going away: server shutdown or a page navigating away. */
  GOING_AWAY: 1001,
  /** The peer broke the protocol. */
  PROTOCOL_ERROR: 1002,
  /** The endpoint cannot accept this type of data (e.g. binary on a text-only endpoint). */
  UNSUPPORTED_DATA: 1003,
  /** Local only: the close frame carried no status code. Never sent. */
  NO_STATUS: 1005,
  /** Local only: the connection was lost without a close frame. Never sent. */
  ABNORMAL: 1006,
  /** A text message was not valid UTF-8, or data was inconsistent with its type. */
  INVALID_PAYLOAD: 1007,
  /** A message violated the endpoint's policy. */
  POLICY_VIOLATION: 1008,
  /** A message was too big to process. */
  MESSAGE_TOO_BIG: 1009,
  /** The client expected the server to negotiate an extension it did not. */
  MANDATORY_EXTENSION: 1010,
  /** The server hit an unexpected condition. */
  INTERNAL_ERROR: 1011,
  /** The service is restarting. */
  SERVICE_RESTART: 1012,
  /** Temporary condition (overload); try again later. */
  TRY_AGAIN_LATER: 1013,
  /** A gateway received an invalid response from upstream. */
  BAD_GATEWAY: 1014,
  /** Local only: the TLS handshake failed. Never sent. */
  TLS_HANDSHAKE: 1015,
} as const;

/** One of the named close codes. Any number passing {@linkcode isValidCloseCode} may be sent. */
export type CloseCode = typeof CLOSE_CODE[keyof typeof CLOSE_CODE];

/**
 * Whether `code` may appear in a close frame on the wire (RFC 6455 §7.4): the defined codes
 * 1000–1003 and 1007–1014, or 3000–4999 (registered and private use). 1004, 1005, 1006 and 1015
 * are never sent; 1016–2999 are reserved; everything below 1000 or above 4999 is invalid.
 *
 * @example
 * ```ts
 * import { isValidCloseCode } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isValidCloseCode(1000), true);
 * assert.equal(isValidCloseCode(4999), true);
 * assert.equal(isValidCloseCode(1006), false);
 * assert.equal(isValidCloseCode(2000), false);
 * ```
 */
export function isValidCloseCode(code: number): boolean {
  if (!Number.isInteger(code)) return false;
  if (code >= 1000 && code <= 1014) {
    return code !== 1004 && code !== 1005 && code !== 1006;
  }
  return code >= 3000 && code <= 4999;
}
