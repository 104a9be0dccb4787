import type { Frame } from "./frame.ts";
import { applyMask } from "./mask.ts";
import { isControlOpcode, isKnownOpcode } from "./opcode.ts";

/** Options for {@linkcode encodeFrame} and {@linkcode encodeFrameInto}. */
export interface EncodeFrameOptions {
  /**
   * Mask the payload (clients MUST, servers MUST NOT: RFC 6455 §5.1). `true` draws a random key
   * from pooled `crypto.getRandomValues` bytes, as {@linkcode randomMask} does; a 4-byte array uses that key (for tests and vectors).
   *
   * @default {false}
   */
  mask?: boolean | Uint8Array;
}

/**
 * Bytes needed to encode a frame with `payloadLength` bytes of payload.
 *
 * @example
 * ```ts
 * import { encodedFrameSize } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(encodedFrameSize(5, false), 7);
 * assert.equal(encodedFrameSize(126, true), 2 + 2 + 4 + 126);
 * assert.equal(encodedFrameSize(70_000, false), 2 + 8 + 70_000);
 * ```
 */
export function encodedFrameSize(payloadLength: number, masked: boolean): number {
  return headerSize(payloadLength, masked) + payloadLength;
}

/**
 * @internal Writes a frame header without its masking key at `target[at..]`: `first` is its first
 * byte (FIN, RSV bits, opcode), then the mask bit and the payload length in the shortest form.
 * Returns the offset after it. No check is made: the caller has.
 */
export function _encodeHeader(
  target: Uint8Array,
  at: number,
  first: number,
  length: number,
  masked: boolean,
): number {
  let p = at;
  target[p++] = first;
  const maskBit = masked ? 0x80 : 0;
  if (length < 126) {
    target[p++] = maskBit | length;
  } else if (length < 0x10000) {
    target[p++] = maskBit | 126;
    target[p++] = length >>> 8;
    target[p++] = length & 0xff;
  } else {
    target[p++] = maskBit | 127;
    const high = Math.floor(length / 0x1_0000_0000);
    target[p++] = high >>> 24;
    target[p++] = (high >>> 16) & 0xff;
    target[p++] = (high >>> 8) & 0xff;
    target[p++] = high & 0xff;
    target[p++] = length >>> 24;
    target[p++] = (length >>> 16) & 0xff;
    target[p++] = (length >>> 8) & 0xff;
    target[p++] = length & 0xff;
  }
  return p;
}

function headerSize(payloadLength: number, masked: boolean): number {
  const ext = payloadLength < 126 ? 0 : payloadLength < 0x10000 ? 2 : 8;
  return 2 + ext + (masked ? 4 : 0);
}

/**
 * Encodes `frame` into `target` at `offset` and returns the offset just past it. Used to
 * coalesce many frames into one buffer for a single transport write. `target` must have
 * {@linkcode encodedFrameSize} bytes free at `offset`.
 *
 * @throws {RangeError} for an invalid frame (reserved opcode, fragmented or oversized control
 * frame) or a target that is too small.
 *
 * @example Two frames in one buffer
 * ```ts
 * import { encodedFrameSize, encodeFrameInto, OPCODE } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const payload = new Uint8Array([1, 2, 3]);
 * const frame = { fin: true, rsv: 0, opcode: OPCODE.BINARY, payload };
 * const out = new Uint8Array(2 * encodedFrameSize(3, false));
 * const end = encodeFrameInto(frame, out, encodeFrameInto(frame, out, 0));
 * assert.equal(end, out.length);
 * assert.deepEqual([...out.subarray(0, 5)], [0x82, 0x03, 1, 2, 3]);
 * ```
 */
export function encodeFrameInto(
  frame: Frame,
  target: Uint8Array,
  offset: number,
  options: EncodeFrameOptions = {},
): number {
  const { fin, rsv, opcode, payload } = frame;
  const length = payload.length;
  if (!isKnownOpcode(opcode)) {
    throw new RangeError(`Cannot encode frame: reserved opcode ${opcode}`);
  }
  if (isControlOpcode(opcode) && (!fin || length > 125)) {
    throw new RangeError("Cannot encode frame: control frames must be final and at most 125 bytes");
  }
  if (!Number.isInteger(rsv) || rsv < 0 || rsv > 7) {
    throw new RangeError(`Cannot encode frame: invalid RSV bits ${rsv}`);
  }
  const maskOption = options.mask ?? false;
  const masked = maskOption !== false;
  const size = headerSize(length, masked);
  if (offset + size + length > target.length) {
    throw new RangeError("Cannot encode frame: target buffer is too small");
  }
  let p = _encodeHeader(
    target,
    offset,
    (fin ? 0x80 : 0) | (rsv << 4) | opcode,
    length,
    masked,
  );
  if (!masked) {
    target.set(payload, p);
    return p + length;
  }
  const key = maskOption === true ? _randomKey() : maskOption;
  if (key.length !== 4) throw new RangeError("Cannot encode frame: a mask key is 4 bytes");
  const k0 = key[0]!;
  const k1 = key[1]!;
  const k2 = key[2]!;
  const k3 = key[3]!;
  target[p++] = k0;
  target[p++] = k1;
  target[p++] = k2;
  target[p++] = k3;
  if (length > _COPY_THEN_MASK) {
    // Large payloads: a native copy, then whole words XORed in place.
    target.set(payload, p);
    applyMask(target.subarray(p, p + length), key);
    return p + length;
  }
  // Small payloads: mask while copying, in one pass with no view or native call.
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    target[p + i] = payload[i]! ^ k0;
    target[p + i + 1] = payload[i + 1]! ^ k1;
    target[p + i + 2] = payload[i + 2]! ^ k2;
    target[p + i + 3] = payload[i + 3]! ^ k3;
  }
  const rest = length - i;
  if (rest > 0) target[p + i] = payload[i]! ^ k0;
  if (rest > 1) target[p + i + 1] = payload[i + 1]! ^ k1;
  if (rest > 2) target[p + i + 2] = payload[i + 2]! ^ k2;
  return p + length;
}

// Payload size above which copying then masking in place beats masking byte by byte while copying.
const _COPY_THEN_MASK = 128;

/**
 * Encodes one frame into a new buffer (header and payload, masked if asked). The payload is
 * copied; the input is never modified. Frames of up to 2 KiB are views over a shared 16 KiB slab
 * (as Node's `Buffer` pool does) because allocating an `ArrayBuffer` costs more than encoding a
 * small frame: the returned bytes are the caller's, but do not transfer their `.buffer`.
 *
 * @example An unmasked "Hello" (RFC 6455 §5.7)
 * ```ts
 * import { encodeFrame, OPCODE } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const bytes = encodeFrame({
 *   fin: true,
 *   rsv: 0,
 *   opcode: OPCODE.TEXT,
 *   payload: new TextEncoder().encode("Hello"),
 * });
 * assert.deepEqual([...bytes], [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
 * ```
 */
export function encodeFrame(frame: Frame, options: EncodeFrameOptions = {}): Uint8Array {
  const out = _allocate(
    encodedFrameSize(frame.payload.length, (options.mask ?? false) !== false),
  );
  encodeFrameInto(frame, out, 0, options);
  return out;
}

const _SLAB_SIZE = 16 * 1024;
const _POOLED_MAX = 2 * 1024;
let _slab = new Uint8Array(0);
let _slabOffset = 0;

// A zeroed buffer of `size` bytes; small ones are carved out of the current slab.
function _allocate(size: number): Uint8Array {
  if (size > _POOLED_MAX) return new Uint8Array(size);
  // A slab whose buffer was transferred away reads as length 0 and is replaced too.
  if (_slabOffset + size > _slab.length) {
    _slab = new Uint8Array(_SLAB_SIZE);
    _slabOffset = 0;
  }
  const out = _slab.subarray(_slabOffset, _slabOffset + size);
  // Keep each frame 8-byte aligned, so the masking loop's word access starts early.
  _slabOffset = (_slabOffset + size + 7) & ~7;
  return out;
}

// Keys for `mask: true`, as `randomMask()` draws them (a pooled `crypto.getRandomValues` buffer),
// copied into one scratch array: the key is written into the frame, so nothing is allocated.
const _keyPool = new Uint8Array(4096);
let _keyOffset = _keyPool.length;
const _key = new Uint8Array(4);

function _randomKey(): Uint8Array {
  if (_keyOffset >= _keyPool.length) {
    crypto.getRandomValues(_keyPool);
    _keyOffset = 0;
  }
  _key[0] = _keyPool[_keyOffset]!;
  _key[1] = _keyPool[_keyOffset + 1]!;
  _key[2] = _keyPool[_keyOffset + 2]!;
  _key[3] = _keyPool[_keyOffset + 3]!;
  _keyOffset += 4;
  return _key;
}
