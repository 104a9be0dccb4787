/**
 * @internal Masking with WebAssembly SIMD: 16 bytes per instruction instead of 4, for payloads
 * large enough that copying them into the module's memory and back costs less than it saves
 * (measured: about 2.7× faster than the word-wise loop at 16–64 KiB, even with both copies; the
 * loop stays faster under about 512 bytes). The same loop can also tell whether every masked byte
 * is ASCII (below 0x80), which lets a text frame skip UTF-8 validation, or only check, without the
 * copy back. Where WebAssembly cannot be compiled (a page whose Content-Security-Policy forbids
 * it, say) {@linkcode _maskSimd} and {@linkcode _maskAsciiSimd} report that and the caller works
 * in JavaScript.
 *
 * Where in the module's memory a window goes matters as much as the SIMD. Both copies are
 * `memcpy`s, which glibc does with `rep movsb` at these sizes, and on the AMD EPYC host measured
 * that runs more than ten times slower when its destination lies 1 to about 31 bytes after its
 * source modulo 4 KiB (64 KiB out of the module into a 1 MiB buffer: 35 µs instead of 2 µs).
 * Large `ArrayBuffer`s from glibc's `malloc` start 16 bytes into a page and the module's memory
 * at one, so a window at the start of the memory hit exactly that on the way back. Windows are
 * placed instead half a page from their data's offset within a page: both copies are then about
 * 2 KiB apart for buffers that start at a page or 16 bytes into one.
 *
 * The module, in the WebAssembly text format:
 *
 * ```wat
 * (module
 *   (memory (export "memory") 2)
 *   ;; XORs memory[i, end) with the 4-byte key repeated; end - i is a multiple of 64.
 *   (func (export "mask") (param $i i32) (param $end i32) (param $key i32)
 *     (local $k v128)
 *     (local.set $k (i32x4.splat (local.get $key)))
 *     (block $done
 *       (loop $next
 *         (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
 *         (v128.store offset=0 (local.get $i)
 *           (v128.xor (v128.load offset=0 (local.get $i)) (local.get $k)))
 *         (v128.store offset=16 (local.get $i)
 *           (v128.xor (v128.load offset=16 (local.get $i)) (local.get $k)))
 *         (v128.store offset=32 (local.get $i)
 *           (v128.xor (v128.load offset=32 (local.get $i)) (local.get $k)))
 *         (v128.store offset=48 (local.get $i)
 *           (v128.xor (v128.load offset=48 (local.get $i)) (local.get $k)))
 *         (local.set $i (i32.add (local.get $i) (i32.const 64)))
 *         (br $next))))
 *   ;; As "mask", and returns a non-zero value iff a masked byte has its high bit set: the masked
 *   ;; vectors are ORed together, and i8x16.bitmask gathers the high bit of each lane.
 *   (func (export "maskHigh") (param $i i32) (param $end i32) (param $key i32) (result i32)
 *     (local $k v128) (local $v v128) (local $any v128)
 *     (local.set $k (i32x4.splat (local.get $key)))
 *     (block $done
 *       (loop $next
 *         (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
 *         (v128.store offset=0 (local.get $i)
 *           (local.tee $v (v128.xor (v128.load offset=0 (local.get $i)) (local.get $k))))
 *         (local.set $any (v128.or (local.get $any) (local.get $v)))
 *         (v128.store offset=16 (local.get $i)
 *           (local.tee $v (v128.xor (v128.load offset=16 (local.get $i)) (local.get $k))))
 *         (local.set $any (v128.or (local.get $any) (local.get $v)))
 *         (v128.store offset=32 (local.get $i)
 *           (local.tee $v (v128.xor (v128.load offset=32 (local.get $i)) (local.get $k))))
 *         (local.set $any (v128.or (local.get $any) (local.get $v)))
 *         (v128.store offset=48 (local.get $i)
 *           (local.tee $v (v128.xor (v128.load offset=48 (local.get $i)) (local.get $k))))
 *         (local.set $any (v128.or (local.get $any) (local.get $v)))
 *         (local.set $i (i32.add (local.get $i) (i32.const 64)))
 *         (br $next)))
 *     (i8x16.bitmask (local.get $any)))
 *   ;; Returns a non-zero value iff a byte of memory[i, end) has its high bit set; stores
 *   ;; nothing. end - i is a multiple of 64.
 *   (func (export "high") (param $i i32) (param $end i32) (result i32)
 *     (local $any v128)
 *     (block $done
 *       (loop $next
 *         (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
 *         (local.set $any
 *           (v128.or (local.get $any)
 *             (v128.or
 *               (v128.or (v128.load offset=0 (local.get $i)) (v128.load offset=16 (local.get $i)))
 *               (v128.or (v128.load offset=32 (local.get $i))
 *                 (v128.load offset=48 (local.get $i))))))
 *         (local.set $i (i32.add (local.get $i) (i32.const 64)))
 *         (br $next)))
 *     (i8x16.bitmask (local.get $any))))
 * ```
 *
 * @module
 */

// The module above, assembled.
// deno-fmt-ignore
const _MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x14, 0x03, 0x60, 0x03, 0x7f, 0x7f,
  0x7f, 0x00, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f,
  0x03, 0x04, 0x03, 0x00, 0x01, 0x02, 0x05, 0x03, 0x01, 0x00, 0x02, 0x07, 0x23, 0x04, 0x06,
  0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x04, 0x6d, 0x61, 0x73, 0x6b, 0x00, 0x00,
  0x08, 0x6d, 0x61, 0x73, 0x6b, 0x48, 0x69, 0x67, 0x68, 0x00, 0x01, 0x04, 0x68, 0x69, 0x67,
  0x68, 0x00, 0x02, 0x0a, 0xb6, 0x02, 0x03, 0x61, 0x01, 0x01, 0x7b, 0x20, 0x02, 0xfd, 0x11,
  0x21, 0x03, 0x02, 0x40, 0x03, 0x40, 0x20, 0x00, 0x20, 0x01, 0x4f, 0x0d, 0x01, 0x20, 0x00,
  0x20, 0x00, 0xfd, 0x00, 0x04, 0x00, 0x20, 0x03, 0xfd, 0x51, 0xfd, 0x0b, 0x04, 0x00, 0x20,
  0x00, 0x20, 0x00, 0xfd, 0x00, 0x04, 0x10, 0x20, 0x03, 0xfd, 0x51, 0xfd, 0x0b, 0x04, 0x10,
  0x20, 0x00, 0x20, 0x00, 0xfd, 0x00, 0x04, 0x20, 0x20, 0x03, 0xfd, 0x51, 0xfd, 0x0b, 0x04,
  0x20, 0x20, 0x00, 0x20, 0x00, 0xfd, 0x00, 0x04, 0x30, 0x20, 0x03, 0xfd, 0x51, 0xfd, 0x0b,
  0x04, 0x30, 0x20, 0x00, 0x41, 0xc0, 0x00, 0x6a, 0x21, 0x00, 0x0c, 0x00, 0x0b, 0x0b, 0x0b,
  0x8d, 0x01, 0x01, 0x03, 0x7b, 0x20, 0x02, 0xfd, 0x11, 0x21, 0x03, 0x02, 0x40, 0x03, 0x40,
  0x20, 0x00, 0x20, 0x01, 0x4f, 0x0d, 0x01, 0x20, 0x00, 0x20, 0x00, 0xfd, 0x00, 0x04, 0x00,
  0x20, 0x03, 0xfd, 0x51, 0x22, 0x04, 0xfd, 0x0b, 0x04, 0x00, 0x20, 0x05, 0x20, 0x04, 0xfd,
  0x50, 0x21, 0x05, 0x20, 0x00, 0x20, 0x00, 0xfd, 0x00, 0x04, 0x10, 0x20, 0x03, 0xfd, 0x51,
  0x22, 0x04, 0xfd, 0x0b, 0x04, 0x10, 0x20, 0x05, 0x20, 0x04, 0xfd, 0x50, 0x21, 0x05, 0x20,
  0x00, 0x20, 0x00, 0xfd, 0x00, 0x04, 0x20, 0x20, 0x03, 0xfd, 0x51, 0x22, 0x04, 0xfd, 0x0b,
  0x04, 0x20, 0x20, 0x05, 0x20, 0x04, 0xfd, 0x50, 0x21, 0x05, 0x20, 0x00, 0x20, 0x00, 0xfd,
  0x00, 0x04, 0x30, 0x20, 0x03, 0xfd, 0x51, 0x22, 0x04, 0xfd, 0x0b, 0x04, 0x30, 0x20, 0x05,
  0x20, 0x04, 0xfd, 0x50, 0x21, 0x05, 0x20, 0x00, 0x41, 0xc0, 0x00, 0x6a, 0x21, 0x00, 0x0c,
  0x00, 0x0b, 0x0b, 0x20, 0x05, 0xfd, 0x64, 0x0b, 0x43, 0x01, 0x01, 0x7b, 0x02, 0x40, 0x03,
  0x40, 0x20, 0x00, 0x20, 0x01, 0x4f, 0x0d, 0x01, 0x20, 0x02, 0x20, 0x00, 0xfd, 0x00, 0x04,
  0x00, 0x20, 0x00, 0xfd, 0x00, 0x04, 0x10, 0xfd, 0x50, 0x20, 0x00, 0xfd, 0x00, 0x04, 0x20,
  0x20, 0x00, 0xfd, 0x00, 0x04, 0x30, 0xfd, 0x50, 0xfd, 0x50, 0xfd, 0x50, 0x21, 0x02, 0x20,
  0x00, 0x41, 0xc0, 0x00, 0x6a, 0x21, 0x00, 0x0c, 0x00, 0x0b, 0x0b, 0x20, 0x02, 0xfd, 0x64,
  0x0b,
]);

// Longer payloads are masked a window at a time. The module's memory is two 64 KiB pages: a
// window and up to 4 KiB before it, to place it (see the module's documentation).
const _WINDOW = 64 * 1024;

let _memory: Uint8Array | null = null;
let _mask: ((i: number, end: number, key: number) => void) | null = null;
let _maskHigh: ((i: number, end: number, key: number) => number) | null = null;
let _high: ((i: number, end: number) => number) | null = null;
// `true` once compiling failed: not tried again.
let _unavailable = false;

// Compiles the module on first use (synchronously: it is a few hundred bytes, well under the
// size browsers allow to compile on the main thread).
function _load(): boolean {
  if (_mask !== null) return true;
  if (_unavailable) return false;
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(_MODULE));
    const exports = instance.exports as {
      memory: WebAssembly.Memory;
      mask: (i: number, end: number, key: number) => void;
      maskHigh: (i: number, end: number, key: number) => number;
      high: (i: number, end: number) => number;
    };
    _memory = new Uint8Array(exports.memory.buffer);
    _maskHigh = exports.maskHigh;
    _high = exports.high;
    _mask = exports.mask;
    return true;
  } catch {
    _unavailable = true;
    return false;
  }
}

// Where in the module's memory the windows of `data` go: half a page from their offset in a page
// (windows are 64 KiB apart, so all have the same), rounded down to a 64-byte line.
function _windowAt(data: Uint8Array): number {
  return (data.byteOffset + 2048) & 4032;
}

/**
 * @internal XORs the first `length - length % 64` bytes of `data` in place with the mask bytes
 * `m0 m1 m2 m3` repeated, `m0` at `data[0]`, and returns how many bytes it masked: a multiple of
 * 64 (so the mask's phase after them is that at `data[0]`), or 0 where WebAssembly SIMD is not
 * available. The caller masks the rest.
 */
export function _maskSimd(
  data: Uint8Array,
  m0: number,
  m1: number,
  m2: number,
  m3: number,
): number {
  const length = data.length & ~63;
  if (length === 0 || !_load()) return 0;
  const memory = _memory!;
  const mask = _mask!;
  const key = _littleEndianKey(m0, m1, m2, m3);
  const at = _windowAt(data);
  for (let start = 0; start < length; start += _WINDOW) {
    const end = Math.min(start + _WINDOW, length);
    memory.set(data.subarray(start, end), at);
    mask(at, at + end - start, key);
    data.set(memory.subarray(at, at + end - start), start);
  }
  return length;
}

/**
 * @internal As {@linkcode _maskSimd}, on the whole 64-byte blocks of `data` (its first
 * `data.length - data.length % 64` bytes), and tells whether a byte of them has its high bit set
 * once masked: `true` if one has (the blocks are masked all the same), `false` if all are ASCII,
 * `null` where WebAssembly SIMD is not available (nothing done). The caller handles the rest.
 * An all-zero mask only checks: nothing is written back, and the check stops at the first
 * 64 KiB window with a high byte.
 */
export function _maskAsciiSimd(
  data: Uint8Array,
  m0: number,
  m1: number,
  m2: number,
  m3: number,
): boolean | null {
  if (!_load()) return null;
  const length = data.length - data.length % 64;
  const memory = _memory!;
  const key = _littleEndianKey(m0, m1, m2, m3);
  const at = _windowAt(data);
  if (key === 0) {
    const high = _high!;
    for (let start = 0; start < length; start += _WINDOW) {
      const end = Math.min(start + _WINDOW, length);
      memory.set(data.subarray(start, end), at);
      if (high(at, at + end - start) !== 0) return true;
    }
    return false;
  }
  const maskHigh = _maskHigh!;
  let found = false;
  for (let start = 0; start < length; start += _WINDOW) {
    const end = Math.min(start + _WINDOW, length);
    memory.set(data.subarray(start, end), at);
    if (maskHigh(at, at + end - start, key) !== 0) found = true;
    data.set(memory.subarray(at, at + end - start), start);
  }
  return found;
}

// WebAssembly memory is little-endian on every host: byte 0 of the key is its low byte.
function _littleEndianKey(m0: number, m1: number, m2: number, m3: number): number {
  return m0 | (m1 << 8) | (m2 << 16) | (m3 << 24);
}

/**
 * @internal Makes {@linkcode _maskSimd} and {@linkcode _maskAsciiSimd} report no SIMD (`true`) or
 * try again (`false`): tests.
 */
export function _disableMaskSimd(disabled: boolean): void {
  _unavailable = disabled;
  if (disabled) {
    _mask = null;
    _maskHigh = null;
    _high = null;
    _memory = null;
  }
}
