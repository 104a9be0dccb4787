import { _maskAsciiSimd, _maskSimd } from "./_mask_simd.ts";

/**
 * XORs `data` in place with the 4-byte `mask` (RFC 6455 §5.3), starting at mask byte
 * `maskOffset`. Masking and unmasking are the same operation. Works a 32-bit word at a time on the
 * aligned middle of the buffer, or, from 1 KiB on, 16 bytes at a time with WebAssembly SIMD where
 * the platform compiles WebAssembly.
 *
 * @param data Bytes to mask; modified in place.
 * @param mask The 4-byte masking key.
 * @param maskOffset Index into the mask of the first byte of `data` (for a payload processed in
 * pieces).
 *
 * @example Masking twice restores the input
 * ```ts
 * import { applyMask } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const mask = new Uint8Array([0x37, 0xfa, 0x21, 0x3d]);
 * const data = new TextEncoder().encode("Hello");
 * applyMask(data, mask);
 * assert.deepEqual([...data], [0x7f, 0x9f, 0x4d, 0x51, 0x58]); // RFC 6455 §5.7
 * applyMask(data, mask);
 * assert.equal(new TextDecoder().decode(data), "Hello");
 * ```
 */
export function applyMask(data: Uint8Array, mask: Uint8Array, maskOffset = 0): void {
  const length = data.length;
  const m0 = mask[maskOffset & 3]!;
  const m1 = mask[(maskOffset + 1) & 3]!;
  const m2 = mask[(maskOffset + 2) & 3]!;
  const m3 = mask[(maskOffset + 3) & 3]!;
  // Long payloads: 16 bytes at a time (WebAssembly SIMD, where it can be compiled); the rest,
  // under 64 bytes and starting at the same mask phase, byte by byte.
  if (length >= _SIMD_MIN) {
    const masked = _maskSimd(data, m0, m1, m2, m3);
    if (masked > 0) {
      _maskBytes(data, masked, length, m0, m1, m2, m3);
      return;
    }
  }
  _maskRange(data, 0, length, m0, m1, m2, m3);
}

// From this length on, masking in WebAssembly (with copies in and out) beats the word loop; below
// it the loop is faster (measured on x86-64: 1.8× faster at 1 KiB, 0.7× at 256 bytes).
const _SIMD_MIN = 1024;

const _scratch8 = new Uint8Array(4);
const _scratch32 = new Uint32Array(_scratch8.buffer);

/**
 * @internal XORs `data[start..end)` with the mask bytes `m0 m1 m2 m3`, `m0` at `start`, and
 * returns the OR of the resulting bytes (an all-zero mask only reads): the byte loop for payloads
 * too short for word-wise masking, and the ends of longer ones.
 */
export function _maskBytes(
  data: Uint8Array,
  start: number,
  end: number,
  m0: number,
  m1: number,
  m2: number,
  m3: number,
): number {
  let or = 0;
  if ((m0 | m1 | m2 | m3) === 0) {
    for (let i = start; i < end; i++) or |= data[i]!;
    return or;
  }
  let i = start;
  for (; i + 4 <= end; i += 4) {
    or |= data[i]! ^= m0;
    or |= data[i + 1]! ^= m1;
    or |= data[i + 2]! ^= m2;
    or |= data[i + 3]! ^= m3;
  }
  const rest = end - i;
  if (rest > 0) or |= data[i]! ^= m0;
  if (rest > 1) or |= data[i + 1]! ^= m1;
  if (rest > 2) or |= data[i + 2]! ^= m2;
  return or;
}

// As `_maskBytes`, a 32-bit word at a time on the 4-byte aligned middle of the range (its ends
// byte by byte).
function _maskWords(
  bytes: Uint8Array,
  start: number,
  end: number,
  m0: number,
  m1: number,
  m2: number,
  m3: number,
): number {
  const head = (4 - ((bytes.byteOffset + start) & 3)) & 3;
  let or = _maskBytes(bytes, start, start + head, m0, m1, m2, m3);
  // The mask rotated so that its first byte lines up with bytes[start + head].
  const rotated = _scratch8;
  rotated[(4 - head) & 3] = m0;
  rotated[(5 - head) & 3] = m1;
  rotated[(6 - head) & 3] = m2;
  rotated[(7 - head) & 3] = m3;
  const key = _scratch32[0]!;
  const words = (end - start - head) >>> 2;
  const view = new Uint32Array(bytes.buffer, bytes.byteOffset + start + head, words);
  let orWords = 0;
  if (key === 0) {
    for (let i = 0; i < words; i++) orWords |= view[i]!;
  } else {
    for (let i = 0; i < words; i++) orWords |= view[i]! ^= key;
  }
  // A multiple of 4 past `start + head`: the mask phase there equals the phase at it.
  const done = start + head + words * 4;
  or |= _maskBytes(bytes, done, end, rotated[0]!, rotated[1]!, rotated[2]!, rotated[3]!);
  orWords |= orWords >>> 16;
  orWords |= orWords >>> 8;
  return or | (orWords & 0xff);
}

/**
 * A fresh random 4-byte masking key from `crypto.getRandomValues` (RFC 6455 §5.3 requires keys
 * that a script cannot predict). Keys are drawn from a pooled buffer to avoid a system call per
 * frame.
 *
 * @example
 * ```ts
 * import { randomMask } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(randomMask().length, 4);
 * ```
 */
export function randomMask(): Uint8Array {
  if (_poolOffset >= _pool.length) {
    crypto.getRandomValues(_pool);
    _poolOffset = 0;
  }
  const key = _pool.slice(_poolOffset, _poolOffset + 4);
  _poolOffset += 4;
  return key;
}

const _pool = new Uint8Array(4096);
let _poolOffset = _pool.length;

// `applyMask` takes the key as bytes; one shared buffer carries a numeric key to it.
const _KEY = new Uint8Array(4);

/**
 * @internal Unmasks `bytes[start..end)` in place with a masking key held as a 32-bit number (byte
 * 0 in the high bits), the first byte being byte `phase` of its frame's payload (RFC 6455 §5.3:
 * payload byte i is XORed with mask byte i mod 4). Short ranges are done byte by byte, without a
 * view; longer ones word by word by {@linkcode applyMask}.
 */
export function _unmask(
  bytes: Uint8Array,
  start: number,
  end: number,
  key: number,
  phase = 0,
): void {
  if (end - start < 64) {
    _maskBytes(
      bytes,
      start,
      end,
      _keyByte(key, phase),
      _keyByte(key, phase + 1),
      _keyByte(key, phase + 2),
      _keyByte(key, phase + 3),
    );
    return;
  }
  _KEY[0] = key >>> 24;
  _KEY[1] = (key >>> 16) & 0xff;
  _KEY[2] = (key >>> 8) & 0xff;
  _KEY[3] = key & 0xff;
  applyMask(bytes.subarray(start, end), _KEY, phase & 3);
}

/**
 * @internal Unmasks `bytes[start..end)` in place exactly as {@linkcode _unmask} does, and returns
 * whether every byte of the range, once unmasked, is ASCII (below 0x80): a text frame whose
 * payload is ASCII is valid UTF-8 without a byte-by-byte check. With `key` 0 (an unmasked frame)
 * it only checks, and writes nothing.
 */
export function _unmaskAscii(
  bytes: Uint8Array,
  start: number,
  end: number,
  key: number,
  phase = 0,
): boolean {
  const m0 = _keyByte(key, phase);
  const m1 = _keyByte(key, phase + 1);
  const m2 = _keyByte(key, phase + 2);
  const m3 = _keyByte(key, phase + 3);
  if (end - start >= _SIMD_MIN) {
    const data = bytes.subarray(start, end);
    const found = _maskAsciiSimd(data, m0, m1, m2, m3);
    if (found !== null) {
      // The rest, under 64 bytes, starts at the same mask phase; it is unmasked either way.
      const rest = _maskBytes(bytes, end - data.length % 64, end, m0, m1, m2, m3);
      return !found && (rest & 0x80) === 0;
    }
  }
  return (_maskRange(bytes, start, end, m0, m1, m2, m3) & 0x80) === 0;
}

/**
 * @internal Whether every byte of `bytes[start..end)` is ASCII (below 0x80): {@linkcode
 * _unmaskAscii} with no mask.
 */
export function _isAscii(bytes: Uint8Array, start: number, end: number): boolean {
  return _unmaskAscii(bytes, start, end, 0);
}

// XORs `bytes[start..end)` with `m0 m1 m2 m3` (`m0` at `start`; all zero: reads only) in
// JavaScript and returns the OR of the resulting bytes: byte by byte when short (making the word
// view costs more than it saves), else word by word.
function _maskRange(
  bytes: Uint8Array,
  start: number,
  end: number,
  m0: number,
  m1: number,
  m2: number,
  m3: number,
): number {
  return end - start < 64
    ? _maskBytes(bytes, start, end, m0, m1, m2, m3)
    : _maskWords(bytes, start, end, m0, m1, m2, m3);
}

/** @internal Byte `index` mod 4 of a numeric masking key (byte 0 in the high bits). */
export function _keyByte(key: number, index: number): number {
  return (key >>> (24 - ((index & 3) << 3))) & 0xff;
}
