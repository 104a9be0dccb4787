/**
 * In-place (un)masking: `applyMask()` against `ws`'s `unmask()` from `lib/buffer-util.js`, the
 * function its Receiver calls. Without the optional `bufferutil` addon (not installed), and with
 * no `websocketMask` in `node:http` (Deno has none), `ws` runs its JavaScript loop.
 *
 * Unmasking with an ASCII check: `_unmaskAscii()` against `_unmask()` alone, on large ASCII text,
 * so that the cost of the check is what they differ by; `_isAscii()` is the check alone (an
 * unmasked frame).
 */
import { applyMask } from "../../src/protocol/mod.ts";
import { _isAscii, _unmask, _unmaskAscii } from "../../src/protocol/mask.ts";
import {
  asBuffer,
  asciiText,
  binaryPayload,
  check,
  MASK_KEY,
  SIZES,
  wsUnmask,
} from "./_fixtures.ts";

const wsKey = asBuffer(MASK_KEY);

for (const [label, size] of SIZES) {
  const group = `mask ${label}`;
  const aeroData = binaryPayload(size);
  const wsData = asBuffer(binaryPayload(size));
  applyMask(aeroData, MASK_KEY);
  wsUnmask(wsData, wsKey);
  check(aeroData.every((b, i) => b === wsData[i]), `${group}: identical output`);

  Deno.bench({
    name: "AeroSocket applyMask",
    group,
    fn() {
      applyMask(aeroData, MASK_KEY);
    },
  });
  Deno.bench({
    name: "ws unmask",
    group,
    baseline: true,
    fn() {
      wsUnmask(wsData, wsKey);
    },
  });
}

// MASK_KEY as the frame decoder holds it: a signed 32-bit number, byte 0 in the high bits.
const NUMERIC_KEY = (MASK_KEY[0]! << 24) | (MASK_KEY[1]! << 16) | (MASK_KEY[2]! << 8) |
  MASK_KEY[3]!;

for (const [label, size] of SIZES.filter(([, size]) => size >= 64 * 1024)) {
  const group = `unmask and check ASCII ${label}`;
  // MASK_KEY's bytes are below 0x80: the text stays ASCII however many times it is unmasked.
  const text = asciiText(size);
  check(_unmaskAscii(text, 0, size, NUMERIC_KEY), `${group}: ASCII once unmasked`);
  check(_unmaskAscii(text, 0, size, NUMERIC_KEY) && _isAscii(text, 0, size), `${group}: ASCII`);

  let sink = 0;
  Deno.bench({
    name: "AeroSocket _unmask",
    group,
    baseline: true,
    fn() {
      _unmask(text, 0, size, NUMERIC_KEY);
    },
  });
  Deno.bench({
    name: "AeroSocket _unmaskAscii",
    group,
    fn() {
      if (_unmaskAscii(text, 0, size, NUMERIC_KEY)) sink++;
    },
  });
  Deno.bench({
    name: "AeroSocket _isAscii",
    group,
    fn() {
      if (_isAscii(text, 0, size)) sink++;
    },
  });
  Deno.bench({
    name: "AeroSocket _unmask, then _isAscii",
    group,
    fn() {
      _unmask(text, 0, size, NUMERIC_KEY);
      if (_isAscii(text, 0, size)) sink++;
    },
  });
  check(sink >= 0, `${group}: results used`);
}
