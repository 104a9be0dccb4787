/**
 * In-place (un)masking: `applyMask()` against `ws`'s `unmask()` from `lib/buffer-util.js`, the
 * function its Receiver calls. Without the optional `bufferutil` addon (not installed), and with
 * no `websocketMask` in `node:http` (Deno has none), `ws` runs its JavaScript loop.
 */
import { applyMask } from "../../src/protocol/mod.ts";
import { asBuffer, binaryPayload, check, MASK_KEY, SIZES, wsUnmask } from "./_fixtures.ts";

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
