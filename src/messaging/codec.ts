import { CBOR_CODEC } from "./cbor_codec.ts";
import { JSON_CODEC } from "./json_codec.ts";
import { MSGPACK_CODEC } from "./msgpack_codec.ts";

/**
 * How `aero.v1` envelopes are written on one connection, chosen by the negotiated subprotocol.
 * `encode` returns a `string` for codecs sent as text frames and bytes for binary frames;
 * `decode` throws on input the codec cannot read.
 */
export interface Codec {
  /** The subprotocol that selects this codec. */
  readonly protocol: AeroProtocol;
  /** Whether envelopes travel in binary frames (`true`) or text frames (`false`). */
  readonly binary: boolean;
  /** Encodes an envelope (or any value the codec supports). */
  encode(value: unknown): string | Uint8Array;
  /** Decodes one message; throws when the input is not valid for the codec. */
  decode(data: string | Uint8Array): unknown;
}

/**
 * The `aero.v1` subprotocols, in the server's order of preference: pass it as the server's
 * `protocols` option to accept every codec.
 *
 * @example
 * ```ts
 * import { AERO_PROTOCOLS } from "@aero/socket/messaging";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(AERO_PROTOCOLS, ["aero.v1.msgpack", "aero.v1.cbor", "aero.v1.json"]);
 * ```
 */
export const AERO_PROTOCOLS = ["aero.v1.msgpack", "aero.v1.cbor", "aero.v1.json"] as const;

/** One of the {@linkcode AERO_PROTOCOLS}. */
export type AeroProtocol = typeof AERO_PROTOCOLS[number];

/**
 * The codec for a negotiated subprotocol, or `undefined` when it is not an `aero.v1` one.
 *
 * @example Encode → decode round trip with the codec of a subprotocol
 * ```ts
 * import { codecFor } from "@aero/socket/messaging";
 * import assert from "node:assert/strict";
 *
 * const codec = codecFor("aero.v1.cbor")!;
 * assert.equal(codec.binary, true);
 * assert.deepEqual(codec.decode(codec.encode({ type: "ok", id: 1 })), { type: "ok", id: 1 });
 * assert.equal(codecFor("chat"), undefined);
 * ```
 */
export function codecFor(protocol: string): Codec | undefined {
  switch (protocol) {
    case "aero.v1.json":
      return JSON_CODEC;
    case "aero.v1.msgpack":
      return MSGPACK_CODEC;
    case "aero.v1.cbor":
      return CBOR_CODEC;
    default:
      return undefined;
  }
}
