import { _encodeUtf8, _encodeUtf8Into, _sameText } from "../protocol/utf8.ts";

// The last text message encoded by any connection, with its UTF-8 bytes.
let _lastText = "";
let _lastTextBytes = new Uint8Array(0);
// Text is encoded into this scratch buffer when it fits: no allocation per message. It starts at
// 64 KiB and grows (in powers of two) for longer text, up to `_SCRATCH_MAX`; longer text gets a
// buffer of its own.
const _SCRATCH_MAX = 4 * 1024 * 1024;
let _scratch = new Uint8Array(64 * 1024);

/**
 * @internal The UTF-8 bytes of `text`, to be read (never modified or kept) before the next call:
 * one buffer serves every connection, since a frame is copied into its connection's outbound
 * buffer before `send` returns.
 *
 * With `scratch`, text of up to 4 Mi UTF-16 units is encoded into a shared scratch buffer. Other
 * text is encoded into a buffer of its own, kept for the next call with the same string: fan-out
 * sends one string to many connections, and it is encoded once, not once per connection.
 */
export function _textPayload(text: string, scratch: boolean): Uint8Array {
  const length = text.length;
  if (scratch && length <= _SCRATCH_MAX) {
    if (length > _scratch.length) {
      let size = _scratch.length * 2;
      while (size < length) size *= 2;
      _scratch = new Uint8Array(size);
    }
    const encoded = _encodeUtf8Into(text, _scratch, 0);
    if (encoded >= 0) return _scratch.subarray(0, encoded);
  }
  if (!_sameText(text, _lastText)) {
    _lastTextBytes = _encodeUtf8(text);
    _lastText = text;
  }
  return _lastTextBytes;
}
