import { CLOSE_CODE } from "./close_code.ts";
import { PROTOCOL_ERROR_CODE as E, ProtocolError } from "./errors.ts";
import type { Frame } from "./frame.ts";
import { DEFAULT_LIMITS } from "./limits.ts";
import { _unmask, _unmaskAscii } from "./mask.ts";
import { _POOLED_MAX, _releaseBuffer, _takeBuffer } from "./_buffer_pool.ts";
import { isControlOpcode, isKnownOpcode, OPCODE, type Opcode } from "./opcode.ts";
import { _checkUtf8Prefix } from "./utf8.ts";

/** Which end of the connection the decoder runs on; decides the masking rule (RFC 6455 §5.1). */
export type Role = "server" | "client";

/** Options for {@linkcode createFrameDecoder}. */
export interface FrameDecoderOptions {
  /**
   * `"server"` requires every frame to be masked; `"client"` rejects masked frames.
   */
  role: Role;
  /**
   * Largest payload accepted; a larger frame fails with 1009 before any of it is buffered.
   *
   * @default {DEFAULT_LIMITS.maxFrameSize}
   */
  maxFrameSize?: number;
  /**
   * RSV bits that negotiated extensions claim (see {@linkcode RSV1}). Any other bit set fails the
   * connection (RFC 6455 §5.2).
   *
   * @default {0}
   */
  allowedRsv?: number;
  /**
   * Whether the decoder may modify the chunks it is given. When true, masked payloads are
   * unmasked in place and emitted as views over the chunk (zero-copy); when false, each masked
   * payload is copied first. Unmasked payloads are views either way.
   *
   * @default {false}
   */
  ownsInput?: boolean;
  /**
   * Whether to check the UTF-8 of an uncompressed text frame (the first frame of a text message,
   * RSV bits clear) while it arrives in pieces, failing with `INVALID_UTF8` (close code 1007) at
   * the first chunk holding a byte that cannot continue valid UTF-8, instead of handing the frame
   * on when it ends. This is the "fail fast" of RFC 6455 §8.1 for a large frame sent slowly
   * (Autobahn 6.4.3/6.4.4). It does not replace validating whole messages: frames that arrive in
   * one chunk, and continuation frames, are not checked here. Text frames that span chunks are
   * then unmasked as they arrive.
   *
   * @default {false}
   */
  validateText?: boolean;
}

/** A sans-I/O, synchronous frame decoder. Created by {@linkcode createFrameDecoder}. */
export interface FrameDecoder {
  /**
   * Decodes every complete frame in `chunk` (plus whatever was buffered before), calling
   * `onFrame` for each in order, and keeps a trailing partial frame for the next call.
   *
   * With `onText`, on a decoder that owns its input (`ownsInput`), a final text frame with no
   * RSV bits whose payload lies whole in `chunk` is handed over as the range
   * `chunk[start..end)` of its payload, instead of as a `Frame`: a caller that decodes it at once
   * saves a view and an object per message, and can unmask while it decodes. The range is still
   * masked with `mask`, the frame's masking key as a signed 32-bit number (byte 0 in the high
   * bits; `0` for an unmasked frame, which XORing with it leaves as it is). The bytes are the
   * caller's afterwards, as a frame's payload would be.
   *
   * @throws {ProtocolError} on the first violation; the decoder must not be used afterwards.
   */
  push(
    chunk: Uint8Array,
    onFrame: (frame: Frame) => void,
    onText?: (chunk: Uint8Array, start: number, end: number, mask: number) => void,
  ): void;
  /**
   * Declares the end of input.
   *
   * @throws {ProtocolError} with code `TRUNCATED_FRAME` when a partial frame is buffered.
   */
  end(): void;
  /** Bytes held for an incomplete frame: partial header bytes, or the allocated payload buffer. */
  readonly bufferedBytes: number;
  /**
   * The unfilled rest of the payload buffer of a frame split across chunks, so that a caller
   * reading from a byte stream can read the rest of the frame into it (no copy); `undefined`
   * when no payload is being assembled. Fill it only through {@linkcode FrameDecoder.commit}.
   */
  pendingPayload(): Uint8Array | undefined;
  /**
   * Declares that `filled` holds the next bytes of the region from
   * {@linkcode FrameDecoder.pendingPayload}, starting at its first byte. `filled` may be a view
   * at the same offset over a buffer transferred from that region (a BYOB read does that).
   * Calls `onFrame` when the frame is complete.
   *
   * @throws {RangeError} when `filled` is not such a view.
   */
  commit(filled: Uint8Array, onFrame: (frame: Frame) => void): void;
}

const _HEADER = 0;
const _PAYLOAD = 1;
const _FAILED = 2;

/**
 * Creates a frame decoder (bytes → frames) for one connection.
 *
 * Payloads of frames that arrive whole within one chunk are views over that chunk; frames split
 * across chunks are assembled into a buffer allocated once, at their exact size, after the size
 * limit was checked.
 *
 * @example Decoding the RFC 6455 §5.7 masked "Hello"
 * ```ts
 * import { createFrameDecoder, type Frame } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const decoder = createFrameDecoder({ role: "server" });
 * const frames: Frame[] = [];
 * const bytes = new Uint8Array([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
 * decoder.push(bytes.subarray(0, 3), (f) => frames.push(f));
 * decoder.push(bytes.subarray(3), (f) => frames.push(f));
 * decoder.end();
 * assert.equal(frames.length, 1);
 * assert.equal(new TextDecoder().decode(frames[0]!.payload), "Hello");
 * ```
 */
export function createFrameDecoder(options: FrameDecoderOptions): FrameDecoder {
  if (options.role !== "server" && options.role !== "client") {
    throw new TypeError(`Cannot create frame decoder: unknown role ${String(options.role)}`);
  }
  const maxFrameSize = options.maxFrameSize ?? DEFAULT_LIMITS.maxFrameSize;
  if (!Number.isSafeInteger(maxFrameSize) || maxFrameSize < 0) {
    throw new RangeError(`Cannot create frame decoder: invalid maxFrameSize ${maxFrameSize}`);
  }
  return new _FrameDecoder(
    options.role === "server",
    maxFrameSize,
    (options.allowedRsv ?? 0) & 0b111,
    options.ownsInput ?? false,
    options.validateText ?? false,
  );
}

/**
 * @internal Makes `decoder` take the payload buffer of each final, uncompressed text frame that
 * arrives over several chunks from a pool shared by the process, for a caller that decodes such
 * a frame into a string as it receives it and then gives the payload back with
 * {@linkcode _returnPayload}. A stream of large text messages then allocates no buffer per
 * message. The payload is a view of part of a larger buffer that held other data before: only
 * a caller that keeps neither may ask for this.
 */
export function _poolTextPayloads(decoder: FrameDecoder): void {
  if (decoder instanceof _FrameDecoder) decoder._poolText();
}

/**
 * @internal Gives back the payload of the last text frame `decoder` handed out, once nothing
 * refers to it any more (see {@linkcode _poolTextPayloads}). Any other payload is ignored, so
 * giving back a view of a read buffer, or the same payload twice, is harmless.
 */
export function _returnPayload(decoder: FrameDecoder, payload: Uint8Array): void {
  if (decoder instanceof _FrameDecoder) decoder._return(payload);
}

// The decoder's state lives in plain fields of one object (one shape for every connection): a
// server holds one per connection, so closures and per-instance getters would cost memory.
class _FrameDecoder implements FrameDecoder {
  readonly #expectMasked: boolean;
  readonly #maxFrameSize: number;
  readonly #allowedRsv: number;
  readonly #ownsInput: boolean;
  readonly #validateText: boolean;
  #state = _HEADER;
  // Partial header bytes (at most 14: 2 + 8 length + 4 mask), allocated on first use.
  #head: Uint8Array | null = null;
  #headLength = 0;
  // Current frame.
  #fin = false;
  #rsv = 0;
  #opcode: Opcode = 0;
  #masked = false;
  // The masking key as a signed 32-bit number (byte 0 in the high bits), so that no buffer is
  // held for it.
  #maskKey = 0;
  // The payload buffer of a frame split across chunks (always at offset 0 of its buffer), its
  // length, and how much of it is filled.
  #payload: Uint8Array = _EMPTY;
  #payloadLength = 0;
  #filled = 0;
  // The byte length of the buffer under `#payload` (larger than the payload when pooled).
  #capacity = 0;
  // Whether payload buffers of whole uncompressed text frames come from the shared pool (see
  // `_poolTextPayloads`), whether the current one does, and the last such payload handed out,
  // until the caller gives it back.
  #poolsText = false;
  #pooled = false;
  #lent: Uint8Array | null = null;
  // A text frame split across chunks is checked as its bytes arrive, so that invalid UTF-8 fails
  // the connection at once rather than when the frame ends (Autobahn 6.4.3/6.4.4): the UTF-8
  // state so far (-1: not checked), and how many payload bytes are unmasked and checked.
  #text = -1;
  #checked = 0;

  constructor(
    expectMasked: boolean,
    maxFrameSize: number,
    allowedRsv: number,
    ownsInput: boolean,
    validateText: boolean,
  ) {
    this.#expectMasked = expectMasked;
    this.#maxFrameSize = maxFrameSize;
    this.#allowedRsv = allowedRsv;
    this.#ownsInput = ownsInput;
    this.#validateText = validateText;
  }

  get bufferedBytes(): number {
    return this.#state === _PAYLOAD ? this.#payloadLength : this.#headLength;
  }

  end(): void {
    if (this.#state === _PAYLOAD || this.#headLength > 0) {
      this.#fail("TRUNCATED_FRAME", "Cannot decode frame: input ended inside a frame");
    }
  }

  pendingPayload(): Uint8Array | undefined {
    if (this.#state !== _PAYLOAD) return undefined;
    return this.#payload.subarray(this.#filled);
  }

  commit(filled: Uint8Array, onFrame: (frame: Frame) => void): void {
    // The old view reads as empty once a BYOB read has transferred its buffer, so the expected
    // length comes from the frame header.
    const length = this.#payloadLength;
    if (
      this.#state !== _PAYLOAD || filled.byteOffset !== this.#filled ||
      filled.buffer.byteLength !== this.#capacity || filled.length > length - this.#filled
    ) {
      throw new RangeError("Cannot commit: the bytes are not the pending payload region");
    }
    // After a BYOB read the bytes live in a transferred buffer: the payload moves with them.
    if (filled.buffer !== this.#payload.buffer) {
      this.#payload = new Uint8Array(filled.buffer, 0, length);
    }
    this.#filled += filled.length;
    if (this.#text >= 0) this.#checkText();
    if (this.#filled === length) this.#completePayload(onFrame);
  }

  push(
    chunk: Uint8Array,
    onFrame: (frame: Frame) => void,
    onText?: (chunk: Uint8Array, start: number, end: number, mask: number) => void,
  ): void {
    if (this.#state === _FAILED) throw new TypeError("Cannot decode: the decoder has failed");
    const textSink = this.#ownsInput ? onText : undefined;
    const end = chunk.length;
    let pos = 0;
    while (pos < end) {
      if (this.#state === _PAYLOAD) {
        const take = Math.min(this.#payloadLength - this.#filled, end - pos);
        this.#payload.set(chunk.subarray(pos, pos + take), this.#filled);
        this.#filled += take;
        pos += take;
        if (this.#text >= 0) this.#checkText();
        if (this.#filled < this.#payloadLength) return;
        this.#completePayload(onFrame);
        continue;
      }
      let buf: Uint8Array;
      let off: number;
      if (this.#headLength === 0 && end - pos >= 2) {
        // Fast path: the header starts in this chunk.
        const b0 = chunk[pos]!;
        const b1 = chunk[pos + 1]!;
        // Fastest: a short final text frame with no RSV bits (FIN and opcode 1 in the first byte,
        // a 7-bit length) that lies whole in the chunk goes to the text sink without the checks
        // below, none of which can fail for it but the mask's and the size limit's.
        if (b0 === 0x81 && textSink !== undefined) {
          const length = b1 & 0x7f;
          const masked = b1 >= 0x80;
          const start = pos + (masked ? 6 : 2);
          if (
            length < 126 && masked === this.#expectMasked && length <= this.#maxFrameSize &&
            end - start >= length
          ) {
            const key = masked
              ? (chunk[pos + 2]! << 24) | (chunk[pos + 3]! << 16) | (chunk[pos + 4]! << 8) |
                chunk[pos + 5]!
              : 0;
            pos = start + length;
            textSink(chunk, start, pos, key);
            continue;
          }
        }
        const need = this.#readFirstBytes(b0, b1);
        if (end - pos < need) {
          if (need > 2) this.#readPartialLength(chunk, pos, end);
          this.#headBuffer().set(chunk.subarray(pos, end));
          this.#headLength = end - pos;
          return;
        }
        buf = chunk;
        off = pos;
        pos += need;
      } else {
        // Slow path: complete a header that started in an earlier chunk.
        const head = this.#headBuffer();
        if (this.#headLength < 2) {
          head[this.#headLength++] = chunk[pos++]!;
          if (this.#headLength < 2) continue;
        }
        const need = this.#readFirstBytes(head[0]!, head[1]!);
        const take = Math.min(need - this.#headLength, end - pos);
        head.set(chunk.subarray(pos, pos + take), this.#headLength);
        this.#headLength += take;
        pos += take;
        if (this.#headLength < need) {
          this.#readPartialLength(head, 0, this.#headLength);
          return;
        }
        buf = head;
        off = 0;
        this.#headLength = 0;
      }
      const length = this.#readLength(buf, off);
      if (end - pos >= length) {
        if (
          textSink !== undefined && this.#opcode === OPCODE.TEXT && this.#fin && this.#rsv === 0
        ) {
          const start = pos;
          pos += length;
          textSink(chunk, start, pos, this.#masked ? this.#maskKey : 0);
          continue;
        }
        // The whole payload is in this chunk: emit a view.
        let data = chunk.subarray(pos, pos + length);
        pos += length;
        if (this.#masked && length > 0) {
          if (!this.#ownsInput) data = data.slice();
          _unmask(data, 0, length, this.#maskKey);
        }
        onFrame(this.#frame(data));
      } else {
        this.#pooled = this.#poolsText && this.#fin && this.#opcode === OPCODE.TEXT &&
          this.#rsv === 0 && length <= _POOLED_MAX;
        this.#payload = this.#pooled
          ? _takeBuffer(length).subarray(0, length)
          : new Uint8Array(length);
        this.#capacity = this.#payload.buffer.byteLength;
        this.#payloadLength = length;
        this.#filled = 0;
        this.#state = _PAYLOAD;
        // Only the first frame of an uncompressed text message: continuations are checked by the
        // assembler, which holds the message's UTF-8 state, and RSV bits mean an extension's
        // encoding.
        this.#text = this.#validateText && this.#opcode === OPCODE.TEXT && this.#rsv === 0 ? 0 : -1;
        this.#checked = 0;
      }
    }
  }

  #completePayload(onFrame: (frame: Frame) => void): void {
    const data = this.#payload;
    if (this.#text >= 0) {
      // `#checkText` has unmasked every byte already.
      this.#text = -1;
    } else if (this.#masked) {
      _unmask(data, 0, data.length, this.#maskKey);
    }
    this.#state = _HEADER;
    // Not kept: the payload belongs to whoever receives the frame.
    this.#payload = _EMPTY;
    if (this.#pooled) this.#lent = data;
    onFrame(this.#frame(data));
  }

  // See `_poolTextPayloads`.
  _poolText(): void {
    this.#poolsText = true;
  }

  // See `_returnPayload`.
  _return(payload: Uint8Array): void {
    if (payload !== this.#lent) return;
    this.#lent = null;
    _releaseBuffer(new Uint8Array(payload.buffer));
  }

  // Unmasks and checks the payload bytes filled since the last check.
  #checkText(): void {
    const from = this.#checked;
    const to = this.#filled;
    if (to === from) return;
    this.#checked = to;
    // Unmasked and checked for ASCII in one pass, a block at a time: ASCII after a whole sequence
    // is valid UTF-8, so the byte-wise check runs only on blocks that are not all ASCII (large
    // text is mostly JSON: measured, 48 µs per 256 KiB saved), or that continue a sequence cut at
    // the end of the block before.
    const payload = this.#payload;
    const key = this.#masked ? this.#maskKey : 0;
    let state = this.#text;
    for (let start = from; start < to; start += _TEXT_BLOCK) {
      const end = Math.min(start + _TEXT_BLOCK, to);
      if (_unmaskAscii(payload, start, end, key, start) && state === 0) continue;
      state = _checkUtf8Prefix(payload.subarray(start, end), state);
      if (state < 0) {
        this.#fail(
          "INVALID_UTF8",
          "Cannot decode frame: text is not valid UTF-8",
          CLOSE_CODE.INVALID_PAYLOAD,
        );
      }
    }
    this.#text = state;
  }

  #headBuffer(): Uint8Array {
    return this.#head ??= new Uint8Array(14);
  }

  #frame(data: Uint8Array): Frame {
    return { fin: this.#fin, rsv: this.#rsv, opcode: this.#opcode, payload: data };
  }

  #fail(code: keyof typeof E, message: string, closeCode: number = 1002): never {
    this.#state = _FAILED;
    throw new ProtocolError(E[code], message, { closeCode });
  }

  // Validates the first two header bytes; returns the total header length they announce.
  #readFirstBytes(b0: number, b1: number): number {
    const fin = (b0 & 0x80) !== 0;
    const rsv = (b0 >>> 4) & 0b111;
    const op = b0 & 0x0f;
    const masked = (b1 & 0x80) !== 0;
    const len7 = b1 & 0x7f;
    this.#fin = fin;
    this.#rsv = rsv;
    this.#masked = masked;
    if (!isKnownOpcode(op)) {
      this.#fail("RESERVED_OPCODE", `Cannot decode frame: reserved opcode ${op}`);
    }
    this.#opcode = op;
    if ((rsv & ~this.#allowedRsv) !== 0) {
      this.#fail(
        "RESERVED_BITS",
        `Cannot decode frame: RSV bits 0b${rsv.toString(2)} not negotiated`,
      );
    }
    if (masked !== this.#expectMasked) {
      if (this.#expectMasked) {
        this.#fail("UNMASKED_FRAME", "Cannot decode frame: client frame is not masked");
      }
      this.#fail("MASKED_FRAME", "Cannot decode frame: server frame is masked");
    }
    if (isControlOpcode(op)) {
      // RFC 6455 §5.5: control frames MUST have a payload of 125 bytes or less and MUST NOT be
      // fragmented.
      if (!fin) this.#fail("FRAGMENTED_CONTROL", "Cannot decode frame: control frame without FIN");
      if (len7 > 125) {
        this.#fail("CONTROL_TOO_LONG", "Cannot decode frame: control payload over 125");
      }
    }
    return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (masked ? 4 : 0);
  }

  // Reads the payload length and mask key from a complete header at `buf[off..]`.
  #readLength(buf: Uint8Array, off: number): number {
    const len7 = buf[off + 1]! & 0x7f;
    let p = off + 2;
    let length = len7;
    if (len7 === 126) {
      length = (buf[p]! << 8) | buf[p + 1]!;
      p += 2;
    } else if (len7 === 127) {
      // RFC 6455 §5.2: the most significant bit of a 64-bit length MUST be 0.
      if ((buf[p]! & 0x80) !== 0) {
        this.#fail("INVALID_LENGTH", "Cannot decode frame: 64-bit length has its top bit set");
      }
      const high = ((buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!) >>>
        0;
      const low = ((buf[p + 4]! << 24) | (buf[p + 5]! << 16) | (buf[p + 6]! << 8) | buf[p + 7]!) >>>
        0;
      length = high * 0x1_0000_0000 + low;
      p += 8;
    }
    if (length > this.#maxFrameSize) {
      this.#fail(
        "FRAME_TOO_BIG",
        `Cannot decode frame: payload of ${length} bytes exceeds maxFrameSize ${this.#maxFrameSize}`,
        CLOSE_CODE.MESSAGE_TOO_BIG,
      );
    }
    if (this.#masked) {
      this.#maskKey = (buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!;
    }
    return length;
  }

  // Checks a 64-bit length as soon as its first byte is here, so an invalid length fails fast.
  #readPartialLength(buf: Uint8Array, off: number, end: number): void {
    if ((buf[off + 1]! & 0x7f) === 127 && end - off > 2 && (buf[off + 2]! & 0x80) !== 0) {
      this.#fail("INVALID_LENGTH", "Cannot decode frame: 64-bit length has its top bit set");
    }
  }
}
const _EMPTY = new Uint8Array(0);
// The arriving bytes of a large text frame are unmasked and tested for ASCII this many at a time,
// so that a non-ASCII character sends only its block through the byte-wise UTF-8 check.
const _TEXT_BLOCK = 4096;
