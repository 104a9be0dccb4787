/**
 * Error codes of the `aero.v1` protocol, carried in `error` envelopes and in the `error` object
 * of `response` envelopes. Applications may use their own codes in RPC errors as well.
 *
 * @example
 * ```ts
 * import { ERROR_CODE, isErrorCode } from "@aero/socket/messaging";
 * import assert from "node:assert/strict";
 *
 * assert.equal(ERROR_CODE.TIMEOUT, "timeout");
 * assert.equal(isErrorCode("timeout"), true);
 * assert.equal(isErrorCode("nope"), false);
 * ```
 */
export const ERROR_CODE = {
  /** The envelope decoded but is not a valid `aero.v1` envelope (unknown type, bad field). */
  BAD_ENVELOPE: "bad_envelope",
  /** A message could not be decoded by the negotiated codec. Sent as close reason (1007). */
  BAD_ENCODING: "bad_encoding",
  /** A frame of the wrong kind for the codec (binary for JSON, text for MessagePack/CBOR) (1003). */
  UNSUPPORTED_DATA: "unsupported_data",
  /** An envelope was larger than the router's `maxEnvelopeSize`. Sent as close reason (1008). */
  TOO_LARGE: "too_large",
  /** Too many malformed envelopes; sent as close reason (1008). */
  TOO_MANY_ERRORS: "too_many_errors",
  /** An envelope other than `connect` arrived before the handshake (1008). */
  NOT_CONNECTED: "not_connected",
  /** A second `connect` arrived. */
  ALREADY_CONNECTED: "already_connected",
  /** The server refused the connection, a subscription, a publication or a request. */
  FORBIDDEN: "forbidden",
  /** A per-connection limit was reached (subscriptions, pending requests). */
  LIMIT_EXCEEDED: "limit_exceeded",
  /** The topic name or pattern is invalid, or a pattern was used where a name is required. */
  BAD_TOPIC: "bad_topic",
  /** The connection is already subscribed to this topic or pattern. */
  ALREADY_SUBSCRIBED: "already_subscribed",
  /** The connection is not subscribed to this topic or pattern. */
  NOT_SUBSCRIBED: "not_subscribed",
  /** A publication marked `required` reached no subscriber. */
  NO_SUBSCRIBERS: "no_subscribers",
  /** No RPC handler is registered for the method. */
  METHOD_NOT_FOUND: "method_not_found",
  /** The request's `data` was rejected by validation. */
  INVALID_PARAMS: "invalid_params",
  /** The request did not complete within its timeout. */
  TIMEOUT: "timeout",
  /** The request was cancelled. */
  CANCELLED: "cancelled",
  /** The peer that should answer is not connected. */
  UNAVAILABLE: "unavailable",
  /** The handler failed; details are not disclosed. */
  INTERNAL: "internal",
} as const;

/** One of the {@linkcode ERROR_CODE} values. */
export type ErrorCode = typeof ERROR_CODE[keyof typeof ERROR_CODE];

const _CODES: ReadonlySet<string> = new Set(Object.values(ERROR_CODE));

/**
 * Whether `value` is one of the {@linkcode ERROR_CODE} values.
 *
 * @example
 * ```ts
 * import { isErrorCode } from "@aero/socket/messaging";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isErrorCode("forbidden"), true);
 * ```
 */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && _CODES.has(value);
}

/** The structured error of the wire protocol: a code, a message and optional data. */
export interface ErrorBody {
  /** Machine-readable code: an {@linkcode ERROR_CODE} value or an application code. */
  code: string;
  /** Human-readable description. */
  message: string;
  /** Optional details (for example, validation failures). */
  data?: unknown;
}

/**
 * An error with a protocol error code. Thrown by RPC handlers and middleware to answer with a
 * structured error; thrown by {@linkcode Router.request} when the client answers with an error,
 * times out or is gone.
 *
 * @example
 * ```ts
 * import { RpcError } from "@aero/socket/messaging";
 * import assert from "node:assert/strict";
 *
 * const error = new RpcError("forbidden", "Cannot call admin.reset: not an admin");
 * assert.equal(error.name, "RpcError");
 * assert.deepEqual(error.toBody(), { code: "forbidden", message: error.message });
 * ```
 */
export class RpcError extends Error {
  /** Machine-readable code. */
  readonly code: string;
  /** Optional details sent to the peer. */
  readonly data: unknown;

  /** Creates an error with `code`, `message` and optional `data` sent to the peer. */
  constructor(code: string, message: string, options: { data?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RpcError";
    this.code = code;
    this.data = options.data;
  }

  /** The error as it goes on the wire. */
  toBody(): ErrorBody {
    const body: ErrorBody = { code: this.code, message: this.message };
    if (this.data !== undefined) body.data = this.data;
    return body;
  }
}

/**
 * A message that is not acceptable to the router. `closeCode` says how the connection is
 * treated: `undefined` means an `error` envelope is sent and the connection stays open; a close
 * code (1003, 1007 or 1008) means the connection is closed with it.
 *
 * @example
 * ```ts
 * import { EnvelopeError } from "@aero/socket/messaging";
 * import assert from "node:assert/strict";
 *
 * const error = new EnvelopeError("bad_encoding", "Cannot decode envelope: invalid JSON", 1007);
 * assert.equal(error.closeCode, 1007);
 * ```
 */
export class EnvelopeError extends Error {
  /** One of the {@linkcode ERROR_CODE} values. */
  readonly code: ErrorCode;
  /** Close code to close the connection with, or `undefined` to answer with an `error`. */
  readonly closeCode: 1003 | 1007 | 1008 | undefined;
  /** The `id` of the offending envelope, when one could be read. */
  readonly id: string | number | undefined;

  /** Creates an error with a code, message, optional close code and envelope id. */
  constructor(
    code: ErrorCode,
    message: string,
    closeCode?: 1003 | 1007 | 1008,
    options: { id?: string | number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "EnvelopeError";
    this.code = code;
    this.closeCode = closeCode;
    this.id = options.id;
  }
}
