/**
 * UTF-8 validation of text payloads mixing 1- to 4-byte sequences.
 *
 * - validate: `isValidUtf8()` against `ws`'s `isValidUTF8()` (`lib/validation.js`: JavaScript
 *   below 24 bytes, `node:buffer`'s `isUtf8` above, since the `utf-8-validate` addon is absent).
 * - decode: what a text message costs end to end, bytes → validated string. `decodeUtf8()`
 *   validates while decoding; `ws` validates in its Receiver and the application then decodes
 *   (`buffer.toString()`, as `ws`'s own `MessageEvent` does).
 */
import { decodeUtf8, isValidUtf8 } from "../../src/protocol/mod.ts";
import { asBuffer, check, mixedText, SIZES, wsIsValidUtf8 } from "./_fixtures.ts";

for (const [label, size] of SIZES) {
  const bytes = mixedText(size);
  const buffer = asBuffer(bytes);
  check(isValidUtf8(bytes) && wsIsValidUtf8(buffer), `utf8 ${label}: valid input`);
  check(decodeUtf8(bytes) === buffer.toString(), `utf8 ${label}: same text`);

  let sink = 0;
  Deno.bench({
    name: "AeroSocket isValidUtf8",
    group: `utf8 validate ${label}`,
    fn() {
      if (isValidUtf8(bytes)) sink++;
    },
  });
  Deno.bench({
    name: "ws isValidUTF8",
    group: `utf8 validate ${label}`,
    baseline: true,
    fn() {
      if (wsIsValidUtf8(buffer)) sink++;
    },
  });
  Deno.bench({
    name: "AeroSocket decodeUtf8",
    group: `utf8 decode ${label}`,
    fn() {
      sink += decodeUtf8(bytes).length;
    },
  });
  Deno.bench({
    name: "ws isValidUTF8 + toString",
    group: `utf8 decode ${label}`,
    baseline: true,
    fn() {
      if (wsIsValidUtf8(buffer)) sink += buffer.toString().length;
    },
  });
}
