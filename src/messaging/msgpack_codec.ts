import { decode, encode } from "@msgpack/msgpack";
import type { Codec } from "./codec.ts";

/**
 * The `aero.v1.msgpack` codec: MessagePack (via `@msgpack/msgpack`) in binary frames. `data`
 * may contain byte strings (`Uint8Array`); `undefined` object fields are left out.
 *
 * @example Encode → decode round trip
 * ```ts
 * import { MSGPACK_CODEC } from "@aero/socket/messaging";
 * import assert from "node:assert/strict";
 *
 * const bytes = MSGPACK_CODEC.encode({ type: "ok", id: 1, data: new Uint8Array([7]) });
 * assert.ok(bytes instanceof Uint8Array);
 * assert.deepEqual(MSGPACK_CODEC.decode(bytes), { type: "ok", id: 1, data: new Uint8Array([7]) });
 * ```
 */
export const MSGPACK_CODEC: Codec = {
  protocol: "aero.v1.msgpack",
  binary: true,
  encode(value: unknown): Uint8Array {
    return encode(value, { ignoreUndefined: true });
  },
  decode(data: string | Uint8Array): unknown {
    if (typeof data === "string") throw new TypeError("Cannot decode MessagePack: text input");
    return decode(data);
  },
};
