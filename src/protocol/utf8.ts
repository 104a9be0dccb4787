import { CLOSE_CODE } from "./close_code.ts";
import { PROTOCOL_ERROR_CODE, ProtocolError } from "./errors.ts";
import { _unmask } from "./mask.ts";

const _fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Whether `bytes` is well-formed UTF-8 (no overlongs, surrogates, or code points above U+10FFFF).
 *
 * @example
 * ```ts
 * import { isValidUtf8 } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isValidUtf8(new TextEncoder().encode("κόσμε")), true);
 * assert.equal(isValidUtf8(new Uint8Array([0xed, 0xa0, 0x80])), false); // a UTF-16 surrogate
 * ```
 */
export function isValidUtf8(bytes: Uint8Array): boolean {
  // Long input: the platform's replacing decoder is faster than any JavaScript loop, even though
  // it builds a string (see `decodeUtf8` for why no U+FFFD means valid input). Short input, or
  // text holding a U+FFFD: validating in JavaScript skips the string and the call's fixed cost.
  if (bytes.length >= _PLATFORM_MIN && _replacing.decode(bytes).indexOf("\uFFFD") === -1) {
    return true;
  }
  return _validUntil(bytes, bytes.length) === bytes.length;
}

// From this many bytes on, validating through the platform decoder is faster.
const _PLATFORM_MIN = 4096;

/**
 * Decodes `bytes` as UTF-8, failing with a 1007 {@linkcode ProtocolError} on the first invalid
 * byte. The byte order mark is kept (WebSocket text is not a document).
 *
 * @example
 * ```ts
 * import { decodeUtf8 } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(decodeUtf8(new Uint8Array([0x68, 0x69])), "hi");
 * assert.throws(() => decodeUtf8(new Uint8Array([0xff])), { closeCode: 1007 });
 * ```
 */
export function decodeUtf8(bytes: Uint8Array): string {
  // Short texts (most chat messages) decode faster in JavaScript than through the platform
  // decoder, whose call costs more than the work. Invalid input falls through to it, so the error
  // and its cause are the same either way.
  if (bytes.length <= _SHORT) {
    const text = _decodeAscii(bytes, 0, bytes.length, 0) ?? _decodeShort(bytes, 0, bytes.length);
    if (text !== undefined) return text;
  }
  return _decodePlatform(bytes);
}

/**
 * @internal {@linkcode decodeUtf8} of `bytes[start..end)`, without a view for short text. With
 * `mask`, a masking key as a 32-bit number (byte 0 in the high bits), the range is still masked
 * (RFC 6455 §5.3, its first byte being the payload's first): short ASCII text is unmasked as it
 * is decoded, leaving the bytes as they are; other text is unmasked in place first.
 */
export function _decodeUtf8Range(
  bytes: Uint8Array,
  start: number,
  end: number,
  mask = 0,
): string {
  const short = end - start <= _SHORT;
  if (short) {
    const text = _decodeAscii(bytes, start, end, mask);
    if (text !== undefined) return text;
  }
  if (mask !== 0) _unmask(bytes, start, end, mask);
  if (short) {
    const text = _decodeShort(bytes, start, end);
    if (text !== undefined) return text;
  }
  return _decodePlatform(bytes.subarray(start, end));
}

/**
 * @internal Writes `text` into `into` from `at` as UTF-8 when every character is ASCII (one byte
 * each) and returns the offset after it; returns -1, having written some bytes, when it is not.
 * `into` must have room for `text.length` bytes from `at`.
 */
export function _encodeAscii(text: string, into: Uint8Array, at: number): number {
  const length = text.length;
  // Longer text goes through the platform encoder: `encodeInto` copies a one-byte string's
  // characters at memory speed, where the loop reads them one `charCodeAt` at a time (and slower
  // still for the strings `TextDecoder` makes). All of the text read into exactly its length in
  // bytes means one byte per character: ASCII.
  if (length >= _ENCODE_INTO_MIN) {
    const { read, written } = _encoder.encodeInto(text, into.subarray(at, at + length));
    return read === length && written === length ? at + length : -1;
  }
  let p = at;
  let i = 0;
  // Four characters per step: one test for the four.
  for (; i + 4 <= length; i += 4) {
    const c0 = text.charCodeAt(i);
    const c1 = text.charCodeAt(i + 1);
    const c2 = text.charCodeAt(i + 2);
    const c3 = text.charCodeAt(i + 3);
    if ((c0 | c1 | c2 | c3) > 0x7f) return -1;
    into[p] = c0;
    into[p + 1] = c1;
    into[p + 2] = c2;
    into[p + 3] = c3;
    p += 4;
  }
  for (; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return -1;
    into[p++] = code;
  }
  return p;
}

/**
 * @internal Writes `text` into `into` from `at` as UTF-8 and returns the offset after it, or -1,
 * having written some bytes, when it does not fit.
 */
export function _encodeUtf8Into(text: string, into: Uint8Array, at: number): number {
  const { read, written } = _encoder.encodeInto(text, at === 0 ? into : into.subarray(at));
  return read === text.length ? at + written : -1;
}

/**
 * @internal The UTF-8 bytes of `text`, in a buffer of their own: what `TextEncoder.encode` returns,
 * made with `encodeInto`, which is several times faster in Deno (a 256 KiB ASCII string: about
 * 16 µs against 114 µs). The buffer is first sized for ASCII text; the rest of other text is
 * encoded into a second one with room for three bytes per UTF-16 unit, the most any takes.
 */
export function _encodeUtf8(text: string): Uint8Array<ArrayBuffer> {
  const length = text.length;
  const bytes = new Uint8Array(length);
  const { read, written } = _encoder.encodeInto(text, bytes);
  // Every character read, into at most `length` bytes: one byte each.
  if (read === length) return bytes;
  const whole = new Uint8Array(written + (length - read) * 3);
  whole.set(bytes.subarray(0, written));
  // `encodeInto` never stops inside a surrogate pair, so the rest starts at a whole character.
  const rest = _encoder.encodeInto(text.slice(read), whole.subarray(written));
  return whole.subarray(0, written + rest.written);
}

const _encoder = new TextEncoder();

/**
 * @internal Whether `text` equals `last`, for one-entry caches keyed by a string (the last text
 * encoded or measured). Usually it is the very same string, which `===` tells at once; otherwise
 * `===` compares the characters up to the first difference, which for two long ASCII texts alike
 * up to near their end costs more than encoding one (64 KiB: about 6 µs, encoding about 4). Two
 * texts that differ at their end or middle (a counter, an id) are told apart before that.
 */
export function _sameText(text: string, last: string): boolean {
  const length = text.length;
  if (length !== last.length) return false;
  if (length === 0) return true;
  return text.charCodeAt(length - 1) === last.charCodeAt(length - 1) &&
    text.charCodeAt(length >>> 1) === last.charCodeAt(length >>> 1) && text === last;
}
// From this many characters on, `_encodeAscii` uses `encodeInto`: measured in Deno 2.9.6, the
// loop takes about 100 ns for 32 characters of a string made by `String.fromCharCode` but 500 ns
// for 64 of one made by `TextDecoder`, and `encodeInto` about 100 ns for either.
const _ENCODE_INTO_MIN = 33;

function _decodePlatform(bytes: Uint8Array): string {
  // The replacing decoder takes the platform's fast path (the fatal one does not), and it outputs
  // U+FFFD only for an invalid sequence or an encoded U+FFFD (EF BF BD): without one in the text,
  // the input was valid. With one, the fatal decoder decides.
  const text = _replacing.decode(bytes);
  if (text.indexOf("\uFFFD") === -1) return text;
  try {
    return _fatal.decode(bytes);
  } catch (cause) {
    throw _invalid(cause);
  }
}

const _replacing = new TextDecoder("utf-8", { ignoreBOM: true });

const _SHORT = 32;
const _fromCharCode = String.fromCharCode;
// UTF-16 code units of a short text (at most one per byte). A plain array: `apply` spreads it
// faster than a typed array, and written in order from index 0 it stays packed.
const _units: number[] = [];
// For ASCII text, one array of each length up to `_SHORT`, each holding exactly the text's code
// units: shortening `_units` to a text's length (and growing it again for the next) costs more
// than decoding the 32 bytes.
const _asciiUnits: number[][] = [];
for (let n = 0; n <= _SHORT; n++) {
  const units: number[] = [];
  for (let i = 0; i < n; i++) units.push(0);
  _asciiUnits.push(units);
}

// Decodes short ASCII text still masked with `mask` (0: not masked), or returns `undefined`, having
// changed nothing, at the first byte that is not ASCII. The string is built by one `fromCharCode`
// call, so it is flat: joining pieces of 13 or more characters would make a rope that the first
// reader of the text (a send, `JSON.parse`, a comparison) has to flatten in a runtime call, which
// costs more than the joins saved.
function _decodeAscii(
  bytes: Uint8Array,
  start: number,
  end: number,
  mask: number,
): string | undefined {
  const units = _asciiUnits[end - start]!;
  const m0 = mask >>> 24;
  const m1 = (mask >>> 16) & 0xff;
  const m2 = (mask >>> 8) & 0xff;
  const m3 = mask & 0xff;
  let i = start;
  let k = 0;
  // Four bytes per step: one test for the four.
  for (; i + 4 <= end; i += 4) {
    const c0 = bytes[i]! ^ m0;
    const c1 = bytes[i + 1]! ^ m1;
    const c2 = bytes[i + 2]! ^ m2;
    const c3 = bytes[i + 3]! ^ m3;
    if (((c0 | c1 | c2 | c3) & 0x80) !== 0) return undefined;
    units[k] = c0;
    units[k + 1] = c1;
    units[k + 2] = c2;
    units[k + 3] = c3;
    k += 4;
  }
  const rest = end - i;
  if (rest > 0) {
    const c0 = bytes[i]! ^ m0;
    const c1 = rest > 1 ? bytes[i + 1]! ^ m1 : 0;
    const c2 = rest > 2 ? bytes[i + 2]! ^ m2 : 0;
    if (((c0 | c1 | c2) & 0x80) !== 0) return undefined;
    units[k] = c0;
    if (rest > 1) units[k + 1] = c1;
    if (rest > 2) units[k + 2] = c2;
  }
  return _fromCharCode.apply(null, units);
}

// Decodes short UTF-8 text, or returns `undefined` when it is not valid (see `_decodeAscii` for
// why in one `fromCharCode` call).
function _decodeShort(bytes: Uint8Array, start: number, n: number): string | undefined {
  const units = _units;
  let i = start;
  let k = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      units[k++] = b;
      i++;
      continue;
    }
    const size = _sequenceSize(bytes, i, n);
    if (size === 0) return undefined;
    if (size === 2) {
      units[k++] = ((b & 0x1f) << 6) | (bytes[i + 1]! & 0x3f);
    } else if (size === 3) {
      units[k++] = ((b & 0x0f) << 12) | ((bytes[i + 1]! & 0x3f) << 6) | (bytes[i + 2]! & 0x3f);
    } else {
      const cp = (((b & 0x07) << 18) | ((bytes[i + 1]! & 0x3f) << 12) |
        ((bytes[i + 2]! & 0x3f) << 6) | (bytes[i + 3]! & 0x3f)) - 0x10000;
      units[k++] = 0xd800 | (cp >>> 10);
      units[k++] = 0xdc00 | (cp & 0x3ff);
    }
    i += size;
  }
  units.length = k;
  return _fromCharCode.apply(null, units);
}

/**
 * @internal Checks `bytes` as the continuation of UTF-8 text whose earlier bytes left `state` (`0`
 * at a character boundary, the start): returns the state after them, or `-1` as soon as a byte
 * cannot continue valid UTF-8. A sequence cut by the end of `bytes` is fine; its state says what
 * must follow. The state packs the continuation bytes still needed (bits 0–1) and the range the
 * next one must be in (bits 8–15 and 16–23), per the Unicode Standard's table 3-7.
 */
export function _checkUtf8Prefix(bytes: Uint8Array, state: number): number {
  const n = bytes.length;
  let need = state & 3;
  let low = (state >>> 8) & 0xff;
  let high = (state >>> 16) & 0xff;
  let i = 0;
  // The rest of a sequence cut by the previous piece.
  while (need > 0) {
    if (i === n) return need | (low << 8) | (high << 16);
    const b = bytes[i++]!;
    if (b < low || b > high) return -1;
    need--;
    low = 0x80;
    high = 0xbf;
  }
  const rest = i === 0 ? bytes : bytes.subarray(i);
  const length = rest.length;
  const valid = _validUntil(rest, length);
  if (valid === length) return 0;
  // The first sequence not accepted: invalid, or cut by the end of the piece. Its lead byte sets
  // what must follow, and the rest is checked as the continuation of a cut sequence (a complete
  // one fails there, since it was not accepted).
  const lead = rest[valid]!;
  low = 0x80;
  high = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) need = 1;
  else if (lead >= 0xe0 && lead <= 0xef) {
    need = 2;
    if (lead === 0xe0) low = 0xa0;
    if (lead === 0xed) high = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    need = 3;
    if (lead === 0xf0) low = 0x90;
    if (lead === 0xf4) high = 0x8f;
  } else {
    return -1;
  }
  return _checkUtf8Prefix(rest.subarray(valid + 1), need | (low << 8) | (high << 16));
}

// Returns the index of the first byte of the first invalid or truncated sequence in
// `bytes[0..end]`, or `end` when all of it is valid.
function _validUntil(bytes: Uint8Array, end: number): number {
  let i = 0;
  if (end >= _WORD_MIN) {
    // Four bytes per load: one unaligned little-endian read (inlined by the JIT) covers an ASCII
    // run of four, or a whole multi-byte sequence.
    const view = new DataView(bytes.buffer, bytes.byteOffset, end);
    const last = end - 4;
    while (i <= last) {
      let w = view.getUint32(i, true);
      const high = w & 0x80808080;
      if (high === 0) {
        i += 4;
        while (
          i + 8 <= end &&
          ((view.getUint32(i, true) | view.getUint32(i + 4, true)) & 0x80808080) === 0
        ) {
          i += 8;
        }
        continue;
      }
      // Skip the ASCII bytes before the first byte with its top bit set (little-endian: the
      // lowest set bit).
      const ascii = (31 - Math.clz32(high & -high)) >>> 3;
      if (ascii !== 0) {
        i += ascii;
        if (i > last) break;
        w = view.getUint32(i, true);
      }
      // A run of multi-byte sequences (most non-Latin text).
      let size = _wordSequenceSize(w);
      while (size !== 0) {
        i += size;
        if (i > last) break;
        w = view.getUint32(i, true);
        if ((w & 0x80) === 0) break;
        size = _wordSequenceSize(w);
      }
      // Invalid here, or a sequence cut by the end of the word range: the loop below judges it.
      if (size === 0) break;
    }
  }
  while (i < end) {
    // ASCII runs, four bytes at a time.
    while (
      i + 4 <= end && ((bytes[i]! | bytes[i + 1]! | bytes[i + 2]! | bytes[i + 3]!) & 0x80) === 0
    ) {
      i += 4;
    }
    if (i >= end) break;
    if (bytes[i]! < 0x80) {
      i++;
      continue;
    }
    const size = _sequenceSize(bytes, i, end);
    if (size === 0) return i;
    i += size;
  }
  return end;
}

// Below this many bytes, making a `DataView` costs more than it saves.
const _WORD_MIN = 64;

// The length of the well-formed sequence whose lead byte (>= 0x80) is the low byte of `w`, the
// next four bytes read little-endian, or 0 when it is invalid. Same ranges as `_sequenceSize`.
function _wordSequenceSize(w: number): number {
  const b0 = w & 0xff;
  if (b0 < 0xc2) return 0;
  if (b0 < 0xe0) return (w & 0xc000) === 0x8000 ? 2 : 0;
  const b1 = (w >>> 8) & 0xff;
  if (b0 < 0xf0) {
    if ((w & 0xc0c000) !== 0x808000) return 0;
    if (b0 === 0xe0) return b1 >= 0xa0 ? 3 : 0;
    if (b0 === 0xed) return b1 <= 0x9f ? 3 : 0;
    return 3;
  }
  if (b0 > 0xf4 || ((w & 0xc0c0c000) ^ 0x80808000) !== 0) return 0;
  if (b0 === 0xf0) return b1 >= 0x90 ? 4 : 0;
  if (b0 === 0xf4) return b1 <= 0x8f ? 4 : 0;
  return 4;
}

// The length of the well-formed multi-byte sequence starting at `bytes[i]` (a byte >= 0x80), or 0
// when it is invalid or cut by `end`. Byte ranges of the Unicode Standard, table 3-7 (the same as
// the WHATWG decoder's): no overlongs, no surrogates, nothing above U+10FFFF.
function _sequenceSize(bytes: Uint8Array, i: number, end: number): number {
  const b = bytes[i]!;
  if (b < 0xc2 || b > 0xf4) return 0;
  if (b < 0xe0) return i + 1 < end && (bytes[i + 1]! & 0xc0) === 0x80 ? 2 : 0;
  const b1 = bytes[i + 1]!;
  if (b < 0xf0) {
    if (i + 2 >= end) return 0;
    const low = b === 0xe0 ? 0xa0 : 0x80;
    const high = b === 0xed ? 0x9f : 0xbf;
    return b1 >= low && b1 <= high && (bytes[i + 2]! & 0xc0) === 0x80 ? 3 : 0;
  }
  if (i + 3 >= end) return 0;
  const low = b === 0xf0 ? 0x90 : 0x80;
  const high = b === 0xf4 ? 0x8f : 0xbf;
  return b1 >= low && b1 <= high && (bytes[i + 2]! & 0xc0) === 0x80 &&
      (bytes[i + 3]! & 0xc0) === 0x80
    ? 4
    : 0;
}

/** A streaming UTF-8 decoder and validator. Created by {@linkcode createUtf8StreamDecoder}. */
export interface Utf8StreamDecoder {
  /**
   * Validates and decodes the next piece. Throws as soon as a byte cannot continue a valid
   * sequence, even when the sequence started in an earlier piece; a sequence cut at the end of
   * the piece is held until the next one.
   *
   * @throws {ProtocolError} with close code 1007.
   */
  push(bytes: Uint8Array): string;
  /**
   * Ends the input, returning the text of the last piece.
   *
   * @throws {ProtocolError} with close code 1007 when the input ends inside a sequence.
   */
  end(bytes?: Uint8Array): string;
}

/**
 * Creates a streaming UTF-8 decoder for text that arrives in pieces (fragmented messages). Uses
 * the platform decoder in fatal streaming mode, which rejects a sequence at its first invalid byte
 * (the WHATWG decoder checks each continuation byte's range), so a bad message is refused before
 * the rest of it arrives.
 *
 * @example A code point split across fragments
 * ```ts
 * import { createUtf8StreamDecoder } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const decoder = createUtf8StreamDecoder();
 * let text = decoder.push(new Uint8Array([0x61, 0xce]));
 * text += decoder.end(new Uint8Array([0xba]));
 * assert.equal(text, "aκ");
 * assert.throws(() => createUtf8StreamDecoder().push(new Uint8Array([0xf4, 0x90])), {
 *   closeCode: 1007,
 * });
 * ```
 */
export function createUtf8StreamDecoder(): Utf8StreamDecoder {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  return {
    push(bytes) {
      try {
        return decoder.decode(bytes, { stream: true });
      } catch (cause) {
        throw _invalid(cause);
      }
    },
    end(bytes) {
      try {
        return decoder.decode(bytes);
      } catch (cause) {
        throw _invalid(cause);
      }
    },
  };
}

function _invalid(cause: unknown): ProtocolError {
  return new ProtocolError(
    PROTOCOL_ERROR_CODE.INVALID_UTF8,
    "Cannot decode text: invalid UTF-8",
    { closeCode: CLOSE_CODE.INVALID_PAYLOAD, cause },
  );
}
