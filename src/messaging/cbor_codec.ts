import { decode, encode } from "cborg";
import type { Codec } from "./codec.ts";

/**
 * The `aero.v1.cbor` codec: CBOR (RFC 8949, via `cborg`) in binary frames. Maps must have string
 * keys; `data` may contain byte strings (`Uint8Array`).
 *
 * @example Encode → decode round trip
 * ```ts
 * import { CBOR_CODEC } from "@aero/socket/messaging";
 * import assert from "node:assert/strict";
 *
 * const bytes = CBOR_CODEC.encode({ type: "ok", id: 1, data: new Uint8Array([7]) });
 * assert.ok(bytes instanceof Uint8Array);
 * assert.deepEqual(CBOR_CODEC.decode(bytes), { type: "ok", id: 1, data: new Uint8Array([7]) });
 * ```
 */
export const CBOR_CODEC: Codec = {
  protocol: "aero.v1.cbor",
  binary: true,
  encode(value: unknown): Uint8Array {
    return encode(value);
  },
  decode(data: string | Uint8Array): unknown {
    if (typeof data === "string") throw new TypeError("Cannot decode CBOR: text input");
    return decode(data);
  },
};
