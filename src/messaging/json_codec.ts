import type { Codec } from "./codec.ts";

const _decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * The `aero.v1.json` codec: JSON in text frames.
 *
 * @example Encode → decode round trip
 * ```ts
 * import { JSON_CODEC } from "@aero/socket/messaging";
 * import assert from "node:assert/strict";
 *
 * const text = JSON_CODEC.encode({ type: "ok", id: 1 });
 * assert.equal(text, '{"type":"ok","id":1}');
 * assert.deepEqual(JSON_CODEC.decode(text), { type: "ok", id: 1 });
 * ```
 */
export const JSON_CODEC: Codec = {
  protocol: "aero.v1.json",
  binary: false,
  encode(value: unknown): string {
    return JSON.stringify(value);
  },
  decode(data: string | Uint8Array): unknown {
    return JSON.parse(typeof data === "string" ? data : _decoder.decode(data));
  },
};
