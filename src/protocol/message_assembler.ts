import { CLOSE_CODE, isValidCloseCode } from "./close_code.ts";
import { PROTOCOL_ERROR_CODE as E, ProtocolError } from "./errors.ts";
import type { Frame } from "./frame.ts";
import { DEFAULT_LIMITS } from "./limits.ts";
import type { AssemblerEvent, CloseEvent } from "./message.ts";
import { OPCODE } from "./opcode.ts";
import { createUtf8StreamDecoder, decodeUtf8 } from "./utf8.ts";

/** Options for {@linkcode createMessageAssembler}. */
export interface MessageAssemblerOptions {
  /**
   * Largest message, in bytes. Checked as each fragment arrives, before it is copied. Fails with
   * 1009.
   *
   * @default {DEFAULT_LIMITS.maxMessageSize}
   */
  maxMessageSize?: number;
  /**
   * Most frames in one message. Fails with 1009.
   *
   * @default {DEFAULT_LIMITS.maxFragments}
   */
  maxFragments?: number;
  /**
   * Whether the assembler may keep the payloads it is given until their message is complete: the
   * caller does not reuse the memory under a payload after handing it over (as when the decoder's
   * input chunks are fresh buffers, which is what `ownsInput` on the decoder means). When true,
   * the fragments of a binary message are kept as views and joined once, with a single copy into
   * a buffer of the exact message size, when the final fragment arrives; when false, each
   * fragment is copied as it arrives, into a buffer grown geometrically. Text is decoded as it
   * arrives either way.
   *
   * @default {false}
   */
  ownsInput?: boolean;
}

/** A sans-I/O message assembler (frames → messages). Created by {@linkcode createMessageAssembler}. */
export interface MessageAssembler {
  /**
   * Takes the next frame. Returns the completed message or control event, or `undefined` when
   * the frame was a non-final fragment.
   *
   * @throws {ProtocolError} on the first violation, with the close code to send.
   */
  push(frame: Frame): AssemblerEvent | undefined;
  /** Whether a fragmented message is in progress. */
  readonly inMessage: boolean;
  /** Bytes held for the message in progress. */
  readonly bufferedBytes: number;
  /** Whether a close frame was received (any later frame is an error). */
  readonly closeReceived: boolean;
}

/**
 * Creates a message assembler: joins fragments (RFC 6455 §5.4), validates text as UTF-8 as it
 * arrives (failing on the first invalid byte, even across fragments), parses close frames and
 * hands back pong and close replies as values. It never writes anything itself.
 *
 * Frames must come from a decoder that already rejected reserved opcodes, RSV bits, wrong masking
 * and malformed control frames.
 *
 * @example A fragmented text message with a ping in between
 * ```ts
 * import { createMessageAssembler, OPCODE } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const te = new TextEncoder();
 * const assembler = createMessageAssembler();
 * assert.equal(assembler.push({ fin: false, rsv: 0, opcode: OPCODE.TEXT, payload: te.encode("Hel") }), undefined);
 * const ping = assembler.push({ fin: true, rsv: 0, opcode: OPCODE.PING, payload: te.encode("p") });
 * assert.equal(ping?.type, "ping");
 * const message = assembler.push({ fin: true, rsv: 0, opcode: OPCODE.CONTINUATION, payload: te.encode("lo") });
 * assert.deepEqual(message, { type: "text", data: "Hello" });
 * ```
 */
export function createMessageAssembler(options: MessageAssemblerOptions = {}): MessageAssembler {
  const maxMessageSize = options.maxMessageSize ?? DEFAULT_LIMITS.maxMessageSize;
  const maxFragments = options.maxFragments ?? DEFAULT_LIMITS.maxFragments;
  let opcode = 0; // 0: no message in progress; else TEXT or BINARY.
  let size = 0;
  let fragments = 0;
  let text = "";
  // A final `end()` resets the decoder, so one serves every message of the connection.
  const utf8 = createUtf8StreamDecoder();
  let buffer = _EMPTY;
  const ownsInput = options.ownsInput ?? false;
  // With `ownsInput`: the fragments of the binary message in progress, as given.
  const parts: Uint8Array[] = [];
  let closeReceived = false;

  function fail(code: keyof typeof E, message: string, closeCode: number = 1002): never {
    throw new ProtocolError(E[code], message, { closeCode });
  }

  function tooBig(): never {
    fail(
      "MESSAGE_TOO_BIG",
      `Cannot assemble message: over maxMessageSize ${maxMessageSize} bytes`,
      CLOSE_CODE.MESSAGE_TOO_BIG,
    );
  }

  function checkSize(length: number): void {
    if (size + length > maxMessageSize) tooBig();
    if (++fragments > maxFragments) {
      fail(
        "TOO_MANY_FRAGMENTS",
        `Cannot assemble message: over maxFragments ${maxFragments}`,
        CLOSE_CODE.MESSAGE_TOO_BIG,
      );
    }
    size += length;
  }

  function appendBinary(payload: Uint8Array): void {
    if (ownsInput) {
      parts.push(payload);
      return;
    }
    if (size > buffer.length) {
      // Grow geometrically, never past the limit: one amortized copy per byte.
      const capacity = Math.min(Math.max(size, buffer.length * 2, 1024), maxMessageSize);
      const grown = new Uint8Array(capacity);
      grown.set(buffer.subarray(0, size - payload.length));
      buffer = grown;
    }
    buffer.set(payload, size - payload.length);
  }

  function dataFrame(frame: Frame): AssemblerEvent | undefined {
    const { payload } = frame;
    if (frame.opcode === OPCODE.CONTINUATION) {
      if (opcode === 0) {
        fail("UNEXPECTED_CONTINUATION", "Cannot assemble message: continuation without a start");
      }
    } else {
      if (opcode !== 0) {
        fail(
          "EXPECTED_CONTINUATION",
          "Cannot assemble message: new message inside a fragmented one",
        );
      }
      if (frame.fin) return whole(frame);
      opcode = frame.opcode;
      size = 0;
      fragments = 0;
    }
    checkSize(payload.length);
    if (opcode === OPCODE.TEXT) {
      text += frame.fin ? utf8.end(payload) : utf8.push(payload);
    } else {
      appendBinary(payload);
    }
    if (!frame.fin) return undefined;
    return finish();
  }

  // A message of a single frame: no copies.
  function whole(frame: Frame): AssemblerEvent {
    if (frame.payload.length > maxMessageSize) tooBig();
    if (frame.opcode === OPCODE.TEXT) return { type: "text", data: decodeUtf8(frame.payload) };
    return { type: "binary", data: frame.payload };
  }

  // The fragments kept by `appendBinary`, joined (`size` bytes, within the limit: checked as each
  // arrived).
  function joinParts(): Uint8Array {
    const out = new Uint8Array(size);
    let offset = 0;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      out.set(part, offset);
      offset += part.length;
    }
    parts.length = 0;
    return out;
  }

  function finish(): AssemblerEvent {
    const done: AssemblerEvent = opcode === OPCODE.TEXT
      ? { type: "text", data: text }
      : { type: "binary", data: ownsInput ? joinParts() : buffer.subarray(0, size) };
    opcode = 0;
    size = 0;
    fragments = 0;
    text = "";
    buffer = _EMPTY;
    return done;
  }

  function push(frame: Frame): AssemblerEvent | undefined {
    if (closeReceived) fail("DATA_AFTER_CLOSE", "Cannot assemble message: frame after close");
    switch (frame.opcode) {
      case OPCODE.PING:
        return { type: "ping", data: frame.payload, reply: _control(OPCODE.PONG, frame.payload) };
      case OPCODE.PONG:
        return { type: "pong", data: frame.payload };
      case OPCODE.CLOSE:
        closeReceived = true;
        return parseClosePayload(frame.payload);
      default:
        return dataFrame(frame);
    }
  }

  return {
    push,
    get inMessage() {
      return opcode !== 0;
    },
    get bufferedBytes() {
      if (opcode === OPCODE.BINARY) return ownsInput ? size : buffer.length;
      return opcode === OPCODE.TEXT ? size : 0;
    },
    get closeReceived() {
      return closeReceived;
    },
  };
}

/**
 * Parses a close frame payload (RFC 6455 §5.5.1, §7.1.5, §7.4).
 *
 * @throws {ProtocolError} 1002 for a one-byte payload or a code not allowed on the wire; 1007 for
 * a reason that is not UTF-8.
 *
 * @example
 * ```ts
 * import { parseClosePayload } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const event = parseClosePayload(new Uint8Array([0x03, 0xe8, 0x6f, 0x6b]));
 * assert.equal(event.code, 1000);
 * assert.equal(event.reason, "ok");
 * assert.throws(() => parseClosePayload(new Uint8Array([0x03])), { closeCode: 1002 });
 * ```
 */
export function parseClosePayload(payload: Uint8Array): CloseEvent {
  if (payload.length === 0) {
    return {
      type: "close",
      code: CLOSE_CODE.NO_STATUS,
      reason: "",
      reply: _control(OPCODE.CLOSE, _EMPTY),
    };
  }
  if (payload.length === 1) {
    throw new ProtocolError(E.INVALID_CLOSE_PAYLOAD, "Cannot parse close frame: 1-byte payload");
  }
  const code = (payload[0]! << 8) | payload[1]!;
  if (!isValidCloseCode(code)) {
    throw new ProtocolError(E.INVALID_CLOSE_CODE, `Cannot parse close frame: invalid code ${code}`);
  }
  const reason = decodeUtf8(payload.subarray(2));
  return { type: "close", code, reason, reply: _control(OPCODE.CLOSE, payload.subarray(0, 2)) };
}

function _control(opcode: 0x8 | 0xa, payload: Uint8Array): Frame {
  return { fin: true, rsv: 0, opcode, payload };
}

const _EMPTY = new Uint8Array(0);
