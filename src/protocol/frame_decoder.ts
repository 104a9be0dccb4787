import { CLOSE_CODE } from "./close_code.ts";
import { PROTOCOL_ERROR_CODE as E, ProtocolError } from "./errors.ts";
import type { Frame } from "./frame.ts";
import { DEFAULT_LIMITS } from "./limits.ts";
import { applyMask } from "./mask.ts";
import { isControlOpcode, isKnownOpcode, type Opcode } from "./opcode.ts";

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
}

/** A sans-I/O, synchronous frame decoder. Created by {@linkcode createFrameDecoder}. */
export interface FrameDecoder {
  /**
   * Decodes every complete frame in `chunk` (plus whatever was buffered before), calling
   * `onFrame` for each in order, and keeps a trailing partial frame for the next call.
   *
   * @throws {ProtocolError} on the first violation; the decoder must not be used afterwards.
   */
  push(chunk: Uint8Array, onFrame: (frame: Frame) => void): void;
  /**
   * Declares the end of input.
   *
   * @throws {ProtocolError} with code `TRUNCATED_FRAME` when a partial frame is buffered.
   */
  end(): void;
  /** Bytes held for an incomplete frame: partial header bytes, or the allocated payload buffer. */
  readonly bufferedBytes: number;
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
  const expectMasked = options.role === "server";
  if (options.role !== "server" && options.role !== "client") {
    throw new TypeError(`Cannot create frame decoder: unknown role ${String(options.role)}`);
  }
  const maxFrameSize = options.maxFrameSize ?? DEFAULT_LIMITS.maxFrameSize;
  if (!Number.isSafeInteger(maxFrameSize) || maxFrameSize < 0) {
    throw new RangeError(`Cannot create frame decoder: invalid maxFrameSize ${maxFrameSize}`);
  }
  const allowedRsv = (options.allowedRsv ?? 0) & 0b111;
  const ownsInput = options.ownsInput ?? false;

  let state = _HEADER;
  // Partial header bytes (at most 14: 2 + 8 length + 4 mask).
  const head = new Uint8Array(14);
  let headLength = 0;
  // Current frame.
  let fin = false;
  let rsv = 0;
  let opcode: Opcode = 0;
  let masked = false;
  const maskKey = new Uint8Array(4);
  let payload = new Uint8Array(0);
  let filled = 0;

  function fail(code: keyof typeof E, message: string, closeCode: number = 1002): never {
    state = _FAILED;
    throw new ProtocolError(E[code], message, { closeCode });
  }

  // Validates the first two header bytes; returns the total header length they announce.
  function readFirstBytes(b0: number, b1: number): number {
    fin = (b0 & 0x80) !== 0;
    rsv = (b0 >>> 4) & 0b111;
    const op = b0 & 0x0f;
    masked = (b1 & 0x80) !== 0;
    const len7 = b1 & 0x7f;
    if (!isKnownOpcode(op)) fail("RESERVED_OPCODE", `Cannot decode frame: reserved opcode ${op}`);
    opcode = op;
    if ((rsv & ~allowedRsv) !== 0) {
      fail("RESERVED_BITS", `Cannot decode frame: RSV bits 0b${rsv.toString(2)} not negotiated`);
    }
    if (masked !== expectMasked) {
      if (expectMasked) fail("UNMASKED_FRAME", "Cannot decode frame: client frame is not masked");
      fail("MASKED_FRAME", "Cannot decode frame: server frame is masked");
    }
    if (isControlOpcode(op)) {
      // RFC 6455 §5.5: control frames MUST have a payload of 125 bytes or less and MUST NOT be
      // fragmented.
      if (!fin) fail("FRAGMENTED_CONTROL", "Cannot decode frame: control frame without FIN");
      if (len7 > 125) fail("CONTROL_TOO_LONG", "Cannot decode frame: control payload over 125");
    }
    return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (masked ? 4 : 0);
  }

  // Reads the payload length and mask key from a complete header at `buf[off..]`.
  function readLength(buf: Uint8Array, off: number): number {
    const len7 = buf[off + 1]! & 0x7f;
    let p = off + 2;
    let length = len7;
    if (len7 === 126) {
      length = (buf[p]! << 8) | buf[p + 1]!;
      p += 2;
    } else if (len7 === 127) {
      // RFC 6455 §5.2: the most significant bit of a 64-bit length MUST be 0.
      if ((buf[p]! & 0x80) !== 0) {
        fail("INVALID_LENGTH", "Cannot decode frame: 64-bit length has its top bit set");
      }
      const high = ((buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!) >>>
        0;
      const low = ((buf[p + 4]! << 24) | (buf[p + 5]! << 16) | (buf[p + 6]! << 8) | buf[p + 7]!) >>>
        0;
      length = high * 0x1_0000_0000 + low;
      p += 8;
    }
    if (length > maxFrameSize) {
      fail(
        "FRAME_TOO_BIG",
        `Cannot decode frame: payload of ${length} bytes exceeds maxFrameSize ${maxFrameSize}`,
        CLOSE_CODE.MESSAGE_TOO_BIG,
      );
    }
    if (masked) {
      maskKey[0] = buf[p]!;
      maskKey[1] = buf[p + 1]!;
      maskKey[2] = buf[p + 2]!;
      maskKey[3] = buf[p + 3]!;
    }
    return length;
  }

  function frame(data: Uint8Array): Frame {
    return { fin, rsv, opcode, payload: data };
  }

  function push(chunk: Uint8Array, onFrame: (frame: Frame) => void): void {
    if (state === _FAILED) throw new TypeError("Cannot decode: the decoder has failed");
    const end = chunk.length;
    let pos = 0;
    while (pos < end) {
      if (state === _PAYLOAD) {
        const take = Math.min(payload.length - filled, end - pos);
        payload.set(chunk.subarray(pos, pos + take), filled);
        filled += take;
        pos += take;
        if (filled < payload.length) return;
        if (masked) applyMask(payload, maskKey);
        state = _HEADER;
        const data = payload;
        payload = _EMPTY;
        onFrame(frame(data));
        continue;
      }
      let buf: Uint8Array;
      let off: number;
      if (headLength === 0 && end - pos >= 2) {
        // Fast path: the header starts in this chunk.
        const need = readFirstBytes(chunk[pos]!, chunk[pos + 1]!);
        if (end - pos < need) {
          if (need > 2) readPartialLength(chunk, pos, end);
          head.set(chunk.subarray(pos, end));
          headLength = end - pos;
          return;
        }
        buf = chunk;
        off = pos;
        pos += need;
      } else {
        // Slow path: complete a header that started in an earlier chunk.
        if (headLength < 2) {
          head[headLength++] = chunk[pos++]!;
          if (headLength < 2) continue;
        }
        const need = readFirstBytes(head[0]!, head[1]!);
        const take = Math.min(need - headLength, end - pos);
        head.set(chunk.subarray(pos, pos + take), headLength);
        headLength += take;
        pos += take;
        if (headLength < need) {
          readPartialLength(head, 0, headLength);
          return;
        }
        buf = head;
        off = 0;
        headLength = 0;
      }
      const length = readLength(buf, off);
      if (end - pos >= length) {
        // The whole payload is in this chunk: emit a view.
        let data = chunk.subarray(pos, pos + length);
        pos += length;
        if (masked && length > 0) {
          if (!ownsInput) data = data.slice();
          applyMask(data, maskKey);
        }
        onFrame(frame(data));
      } else {
        payload = new Uint8Array(length);
        filled = 0;
        state = _PAYLOAD;
      }
    }
  }

  // Checks a 64-bit length as soon as its first byte is here, so an invalid length fails fast.
  function readPartialLength(buf: Uint8Array, off: number, end: number): void {
    if ((buf[off + 1]! & 0x7f) === 127 && end - off > 2 && (buf[off + 2]! & 0x80) !== 0) {
      fail("INVALID_LENGTH", "Cannot decode frame: 64-bit length has its top bit set");
    }
  }

  return {
    push,
    end() {
      if (state === _PAYLOAD || headLength > 0) {
        fail("TRUNCATED_FRAME", "Cannot decode frame: input ended inside a frame");
      }
    },
    get bufferedBytes() {
      return state === _PAYLOAD ? payload.length : headLength;
    },
  };
}

const _EMPTY = new Uint8Array(0);
