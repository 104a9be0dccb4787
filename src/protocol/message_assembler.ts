import { CLOSE_CODE, isValidCloseCode } from "./close_code.ts";
import { PROTOCOL_ERROR_CODE as E, ProtocolError } from "./errors.ts";
import type { Frame } from "./frame.ts";
import { DEFAULT_LIMITS } from "./limits.ts";
import type { AssemblerEvent, CloseEvent } from "./message.ts";
import { OPCODE } from "./opcode.ts";
import { createUtf8StreamDecoder, decodeUtf8, type Utf8StreamDecoder } from "./utf8.ts";

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
  return new _MessageAssembler(
    options.maxMessageSize ?? DEFAULT_LIMITS.maxMessageSize,
    options.maxFragments ?? DEFAULT_LIMITS.maxFragments,
    options.ownsInput ?? false,
  );
}

// The state lives in plain fields of one object (one shape for every connection): a server holds
// one per connection, so closures and per-instance getters would cost memory.
class _MessageAssembler implements MessageAssembler {
  readonly #maxMessageSize: number;
  readonly #maxFragments: number;
  readonly #ownsInput: boolean;
  #opcode = 0; // 0: no message in progress; else TEXT or BINARY.
  #size = 0;
  #fragments = 0;
  #text = "";
  // Created for the first fragmented text message; a final `end()` resets it, so one serves
  // every later message of the connection.
  #utf8: Utf8StreamDecoder | null = null;
  #buffer = _EMPTY;
  // With `ownsInput`: the fragments of the binary message in progress, as given.
  #parts: Uint8Array[] | null = null;
  #closeReceived = false;

  constructor(maxMessageSize: number, maxFragments: number, ownsInput: boolean) {
    this.#maxMessageSize = maxMessageSize;
    this.#maxFragments = maxFragments;
    this.#ownsInput = ownsInput;
  }

  get inMessage(): boolean {
    return this.#opcode !== 0;
  }

  get bufferedBytes(): number {
    if (this.#opcode === OPCODE.BINARY) return this.#ownsInput ? this.#size : this.#buffer.length;
    return this.#opcode === OPCODE.TEXT ? this.#size : 0;
  }

  get closeReceived(): boolean {
    return this.#closeReceived;
  }

  push(frame: Frame): AssemblerEvent | undefined {
    if (this.#closeReceived) {
      _fail("DATA_AFTER_CLOSE", "Cannot assemble message: frame after close");
    }
    switch (frame.opcode) {
      case OPCODE.PING:
        return { type: "ping", data: frame.payload, reply: _control(OPCODE.PONG, frame.payload) };
      case OPCODE.PONG:
        return { type: "pong", data: frame.payload };
      case OPCODE.CLOSE:
        this.#closeReceived = true;
        return parseClosePayload(frame.payload);
      default:
        return this.#dataFrame(frame);
    }
  }

  #tooBig(): never {
    _fail(
      "MESSAGE_TOO_BIG",
      `Cannot assemble message: over maxMessageSize ${this.#maxMessageSize} bytes`,
      CLOSE_CODE.MESSAGE_TOO_BIG,
    );
  }

  #checkSize(length: number): void {
    if (this.#size + length > this.#maxMessageSize) this.#tooBig();
    if (++this.#fragments > this.#maxFragments) {
      _fail(
        "TOO_MANY_FRAGMENTS",
        `Cannot assemble message: over maxFragments ${this.#maxFragments}`,
        CLOSE_CODE.MESSAGE_TOO_BIG,
      );
    }
    this.#size += length;
  }

  #appendBinary(payload: Uint8Array): void {
    if (this.#ownsInput) {
      (this.#parts ??= []).push(payload);
      return;
    }
    const size = this.#size;
    if (size > this.#buffer.length) {
      // Grow geometrically, never past the limit: one amortized copy per byte.
      const capacity = Math.min(
        Math.max(size, this.#buffer.length * 2, 1024),
        this.#maxMessageSize,
      );
      const grown = new Uint8Array(capacity);
      grown.set(this.#buffer.subarray(0, size - payload.length));
      this.#buffer = grown;
    }
    this.#buffer.set(payload, size - payload.length);
  }

  #dataFrame(frame: Frame): AssemblerEvent | undefined {
    const { payload } = frame;
    if (frame.opcode === OPCODE.CONTINUATION) {
      if (this.#opcode === 0) {
        _fail("UNEXPECTED_CONTINUATION", "Cannot assemble message: continuation without a start");
      }
    } else {
      if (this.#opcode !== 0) {
        _fail(
          "EXPECTED_CONTINUATION",
          "Cannot assemble message: new message inside a fragmented one",
        );
      }
      if (frame.fin) return this.#whole(frame);
      this.#opcode = frame.opcode;
      this.#size = 0;
      this.#fragments = 0;
    }
    this.#checkSize(payload.length);
    if (this.#opcode === OPCODE.TEXT) {
      const utf8 = this.#utf8 ??= createUtf8StreamDecoder();
      this.#text += frame.fin ? utf8.end(payload) : utf8.push(payload);
    } else {
      this.#appendBinary(payload);
    }
    if (!frame.fin) return undefined;
    return this.#finish();
  }

  // A message of a single frame: no copies.
  #whole(frame: Frame): AssemblerEvent {
    if (frame.payload.length > this.#maxMessageSize) this.#tooBig();
    if (frame.opcode === OPCODE.TEXT) return { type: "text", data: decodeUtf8(frame.payload) };
    return { type: "binary", data: frame.payload };
  }

  // The fragments kept by `#appendBinary`, joined (`#size` bytes, within the limit: checked as
  // each arrived).
  #joinParts(): Uint8Array {
    const out = new Uint8Array(this.#size);
    const parts = this.#parts ?? [];
    let offset = 0;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      out.set(part, offset);
      offset += part.length;
    }
    parts.length = 0;
    return out;
  }

  #finish(): AssemblerEvent {
    const done: AssemblerEvent = this.#opcode === OPCODE.TEXT
      ? { type: "text", data: this.#text }
      : {
        type: "binary",
        data: this.#ownsInput ? this.#joinParts() : this.#buffer.subarray(0, this.#size),
      };
    this.#opcode = 0;
    this.#size = 0;
    this.#fragments = 0;
    this.#text = "";
    this.#buffer = _EMPTY;
    return done;
  }
}

function _fail(code: keyof typeof E, message: string, closeCode: number = 1002): never {
  throw new ProtocolError(E[code], message, { closeCode });
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
