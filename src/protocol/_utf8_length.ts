import { _sameText } from "./utf8.ts";

/**
 * @internal The number of bytes `text` takes in UTF-8 (what `TextEncoder.encode(text).length`
 * gives: a lone surrogate counts as U+FFFD, 3 bytes), without keeping an encoding of it.
 *
 * Short text is measured in JavaScript. Longer text is encoded by the platform a chunk at a time
 * into a scratch buffer and only the byte count kept: in Deno 2.9.6 a `charCodeAt` loop took
 * about 230 µs for a 64 KiB string made by `TextDecoder` (the strings Deno's `WebSocket` hands
 * over), `encodeInto` about 2.4 µs when the text is ASCII, and about as long as the loop when it
 * is not.
 *
 * The last long text measured is remembered with its count: an echo measures the text it received
 * again when it sends it back (metrics count both), and a broadcast measures one text once per
 * recipient. Strings are immutable, so an equal string has the same count.
 */
export function _utf8Length(text: string): number {
  const length = text.length;
  if (length < _LOOP_MAX) return _countLoop(text, length);
  // Telling a different text apart costs less than measuring it, except for two long ASCII texts
  // alike up to near their end (64 KiB: about 6 µs more; measuring 49 K units, a third of them
  // `é`, takes 30–40 µs).
  if (_sameText(text, _lastText)) return _lastBytes;
  let bytes = 0;
  for (let start = 0; start < length;) {
    let end = Math.min(start + _CHUNK, length);
    // A surrogate pair is never split: each half alone would count as U+FFFD.
    if (end < length && _isHighSurrogate(text.charCodeAt(end - 1))) end--;
    const chunk = start === 0 && end === length ? text : text.substring(start, end);
    bytes += _encoder.encodeInto(chunk, _scratch).written;
    start = end;
  }
  _lastText = text;
  _lastBytes = bytes;
  return bytes;
}

// Text shorter than this is measured in JavaScript (measured: 31 characters take about 80 ns in
// the loop and 150 ns through `encodeInto`).
const _LOOP_MAX = 128;
// UTF-16 units per `encodeInto` call; the scratch buffer holds any chunk's encoding (at most 3
// bytes per unit).
const _CHUNK = 16 * 1024;
const _scratch = new Uint8Array(3 * _CHUNK);
const _encoder = new TextEncoder();
// The last text of `_LOOP_MAX` units or more that was measured, and its count.
let _lastText = "";
let _lastBytes = 0;

function _isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit < 0xdc00;
}

function _countLoop(text: string, length: number): number {
  let bytes = length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (_isHighSurrogate(c) && i + 1 < length) {
      // A surrogate pair: 2 UTF-16 units, 4 bytes; a lone high surrogate: U+FFFD, 3 bytes.
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next < 0xe000) {
        bytes += 2;
        i++;
      } else bytes += 2;
    } else bytes += 2;
  }
  return bytes;
}
