import type { Message } from "../protocol/message.ts";
import type { Codec } from "./codec.ts";
import type { ClientEnvelope, EnvelopeId, EnvelopeTrace, StreamPosition } from "./envelope.ts";
import { EnvelopeError } from "./errors.ts";

/** Options for {@linkcode decodeEnvelope}. */
export interface DecodeEnvelopeOptions {
  /**
   * Largest accepted message, in encoded bytes (UTF-16 code units for text).
   *
   * @default {1_048_576}
   */
  maxSize?: number;
}

const _MAX_ID_LENGTH = 64;
const _MAX_METHOD_LENGTH = 128;
const _MAX_TOKEN_LENGTH = 128;
const _MAX_TIMEOUT = 2 ** 31 - 1;
const _MAX_REFRESH_TOKEN_LENGTH = 8_192;
const _MAX_TRACEPARENT_LENGTH = 256;
const _MAX_TRACESTATE_LENGTH = 512;

type _Fields = Record<string, unknown>;

/**
 * Decodes and validates one message as a client envelope (`docs/PROTOCOL.md` §4).
 *
 * @throws {EnvelopeError} with `closeCode` 1003 (wrong frame kind), 1008 (too large) or 1007
 * (not decodable), or without a close code for a decodable value that is not a valid envelope.
 *
 * @example
 * ```ts
 * import { decodeEnvelope, EnvelopeError, JSON_CODEC } from "@aero/socket/messaging";
 * import assert from "node:assert/strict";
 *
 * const envelope = decodeEnvelope({ type: "text", data: '{"type":"subscribe","id":1,"topic":"a"}' }, JSON_CODEC);
 * assert.deepEqual(envelope, { type: "subscribe", id: 1, topic: "a" });
 * assert.throws(
 *   () => decodeEnvelope({ type: "text", data: "{" }, JSON_CODEC),
 *   (error) => error instanceof EnvelopeError && error.closeCode === 1007,
 * );
 * ```
 */
export function decodeEnvelope(
  message: Message,
  codec: Codec,
  options: DecodeEnvelopeOptions = {},
): ClientEnvelope {
  const maxSize = options.maxSize ?? 1024 * 1024;
  if ((message.type === "binary") !== codec.binary) {
    throw new EnvelopeError(
      "unsupported_data",
      `Cannot decode envelope: ${message.type} frame with ${codec.protocol}`,
      1003,
    );
  }
  if (message.data.length > maxSize) {
    throw new EnvelopeError("too_large", "Cannot decode envelope: over the size limit", 1008);
  }
  let value: unknown;
  try {
    value = codec.decode(message.data);
  } catch (cause) {
    throw new EnvelopeError("bad_encoding", "Cannot decode envelope: invalid encoding", 1007, {
      cause,
    });
  }
  return validateEnvelope(value);
}

/**
 * Checks that a decoded value is a valid client envelope and returns it, keeping only the known
 * fields.
 *
 * @throws {EnvelopeError} `bad_envelope` (no close code), with the envelope's `id` when valid.
 *
 * @example
 * ```ts
 * import { EnvelopeError, validateEnvelope } from "@aero/socket/messaging";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(validateEnvelope({ type: "leave", id: "x", topic: "t", extra: 1 }), {
 *   type: "leave",
 *   id: "x",
 *   topic: "t",
 * });
 * assert.throws(
 *   () => validateEnvelope({ type: "subscribe", id: 3 }),
 *   (error) => error instanceof EnvelopeError && error.code === "bad_envelope" && error.id === 3,
 * );
 * ```
 */
export function validateEnvelope(value: unknown): ClientEnvelope {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw _bad("not a map", undefined);
  }
  const fields = value as _Fields;
  const id = _isId(fields.id) ? fields.id : undefined;
  const type = fields.type;
  switch (type) {
    case "connect": {
      const out: ClientEnvelope = { type };
      if (_optionalId(fields, id)) out.id = id!;
      if (fields.resume !== undefined) out.resume = _token(fields.resume, id);
      if (fields.data !== undefined) out.data = fields.data;
      return out;
    }
    case "subscribe": {
      const out: ClientEnvelope = { type, id: _id(id), topic: _topic(fields, id) };
      if (fields.since !== undefined) out.since = _position(fields.since, id);
      return out;
    }
    case "unsubscribe":
    case "leave":
    case "presence":
      return { type, id: _id(id), topic: _topic(fields, id) };
    case "publish": {
      const out: ClientEnvelope = { type, topic: _topic(fields, id) };
      if (_optionalId(fields, id)) out.id = id!;
      if (fields.data !== undefined) out.data = fields.data;
      if (_flag(fields, "ack", id)) {
        if (id === undefined) throw _bad("ack without id", id);
        out.ack = true;
      }
      if (_flag(fields, "required", id)) out.required = true;
      const trace = _trace(fields.trace);
      if (trace !== undefined) out.trace = trace;
      return out;
    }
    case "request": {
      const method = fields.method;
      if (typeof method !== "string" || method.length === 0 || method.length > _MAX_METHOD_LENGTH) {
        throw _bad("invalid method", id);
      }
      const out: ClientEnvelope = { type, id: _id(id), method };
      if (fields.data !== undefined) out.data = fields.data;
      const timeout = fields.timeout;
      if (timeout !== undefined) {
        if (
          !Number.isSafeInteger(timeout) || (timeout as number) < 1 ||
          (timeout as number) > _MAX_TIMEOUT
        ) {
          throw _bad("invalid timeout", id);
        }
        out.timeout = timeout as number;
      }
      const trace = _trace(fields.trace);
      if (trace !== undefined) out.trace = trace;
      return out;
    }
    case "response": {
      const out: ClientEnvelope = { type, id: _id(id) };
      if (fields.error !== undefined) {
        const error = fields.error as _Fields;
        if (
          typeof error !== "object" || error === null || typeof error.code !== "string" ||
          typeof error.message !== "string"
        ) throw _bad("invalid error", id);
        out.error = { code: error.code, message: error.message };
        if (error.data !== undefined) out.error.data = error.data;
      } else if (fields.data !== undefined) out.data = fields.data;
      return out;
    }
    case "join": {
      const out: ClientEnvelope = { type, id: _id(id), topic: _topic(fields, id) };
      if (fields.data !== undefined) out.data = fields.data;
      return out;
    }
    case "refresh": {
      const token = fields.token;
      if (
        typeof token !== "string" || token.length === 0 || token.length > _MAX_REFRESH_TOKEN_LENGTH
      ) throw _bad("invalid token", id);
      return { type, id: _id(id), token };
    }
    default:
      throw _bad(typeof type === "string" ? "unknown type" : "missing type", id);
  }
}

function _bad(what: string, id: EnvelopeId | undefined): EnvelopeError {
  const options = id === undefined ? {} : { id };
  return new EnvelopeError("bad_envelope", `Cannot accept envelope: ${what}`, undefined, options);
}

function _isId(value: unknown): value is EnvelopeId {
  if (typeof value === "string") return value.length > 0 && value.length <= _MAX_ID_LENGTH;
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function _id(id: EnvelopeId | undefined): EnvelopeId {
  if (id === undefined) throw _bad("missing or invalid id", undefined);
  return id;
}

function _optionalId(fields: _Fields, id: EnvelopeId | undefined): boolean {
  if (fields.id === undefined) return false;
  if (id === undefined) throw _bad("invalid id", undefined);
  return true;
}

function _topic(fields: _Fields, id: EnvelopeId | undefined): string {
  // Whether it is a valid name or pattern is the router's business (`bad_topic`).
  if (typeof fields.topic !== "string") throw _bad("missing topic", id);
  return fields.topic;
}

function _flag(fields: _Fields, name: string, id: EnvelopeId | undefined): boolean {
  const value = fields[name];
  if (value === undefined || value === false) return false;
  if (value !== true) throw _bad(`invalid ${name}`, id);
  return true;
}

function _token(value: unknown, id: EnvelopeId | undefined): string {
  if (typeof value !== "string" || value.length > _MAX_TOKEN_LENGTH) {
    throw _bad("invalid resume token", id);
  }
  return value;
}

// Trace context is best effort (W3C Trace Context §3.2: a malformed one is ignored), so a bad
// `trace` field is dropped rather than failing the envelope.
function _trace(value: unknown): EnvelopeTrace | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { traceparent, tracestate } = value as _Fields;
  if (typeof traceparent !== "string" || traceparent.length > _MAX_TRACEPARENT_LENGTH) {
    return undefined;
  }
  const trace: EnvelopeTrace = { traceparent };
  if (typeof tracestate === "string" && tracestate.length <= _MAX_TRACESTATE_LENGTH) {
    trace.tracestate = tracestate;
  }
  return trace;
}

function _position(value: unknown, id: EnvelopeId | undefined): StreamPosition {
  const fields = value as _Fields;
  if (
    typeof fields !== "object" || fields === null || typeof fields.epoch !== "string" ||
    fields.epoch.length === 0 || fields.epoch.length > _MAX_ID_LENGTH ||
    !Number.isSafeInteger(fields.offset) || (fields.offset as number) < 0
  ) throw _bad("invalid since", id);
  return { epoch: fields.epoch, offset: fields.offset as number };
}
