/**
 * Connection states, with the same values as the browser `WebSocket.readyState`.
 *
 * @example
 * ```ts
 * import { READY_STATE } from "@aero/socket";
 * import assert from "node:assert/strict";
 *
 * assert.equal(READY_STATE.OPEN, 1);
 * ```
 */
export const READY_STATE = {
  /** The opening handshake is in progress. */
  CONNECTING: 0,
  /** Messages flow both ways. */
  OPEN: 1,
  /** A close frame was sent or received; the close handshake is in progress. */
  CLOSING: 2,
  /** The connection is closed. */
  CLOSED: 3,
} as const;

/** One of the {@linkcode READY_STATE} values. */
export type ReadyState = typeof READY_STATE[keyof typeof READY_STATE];
