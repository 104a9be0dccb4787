import { Connection } from "../connection/connection.ts";
import type { WebSocketConnection } from "../connection/websocket_connection.ts";
import { READY_STATE } from "../connection/ready_state.ts";
import { encodeFrame } from "../protocol/frame_encoder.ts";
import { OPCODE } from "../protocol/opcode.ts";
import { _encodeUtf8 } from "../protocol/utf8.ts";
import type { Codec } from "./codec.ts";

/** @internal An envelope encoded once, for writing to many connections. */
export interface _Prepared {
  /** The encoded envelope: text for text codecs, bytes for binary ones. */
  readonly payload: string | Uint8Array;
  /** The complete unmasked frame, built on first use and shared afterwards. */
  frame: Uint8Array | undefined;
}

/** @internal Encodes `envelope` with `codec`, once. */
export function _prepare(codec: Codec, envelope: unknown): _Prepared {
  return { payload: codec.encode(envelope), frame: undefined };
}

/** @internal What a write did: accepted, refused by the slow-consumer policy, or not open. */
export type _WriteResult = "sent" | "refused" | "closed";

/**
 * @internal Writes a prepared envelope to `conn`: the shared frame bytes when the connection can
 * take them, the shared payload otherwise (the connection then frames it itself).
 */
export function _write(conn: WebSocketConnection, prepared: _Prepared): _WriteResult {
  if (conn.readyState !== READY_STATE.OPEN) return "closed";
  let accepted: boolean;
  if (conn instanceof Connection && conn.acceptsEncodedFrames) {
    accepted = conn.sendEncodedFrame(prepared.frame ??= _frame(prepared.payload));
  } else {
    accepted = conn.send(prepared.payload);
  }
  return accepted ? "sent" : "refused";
}

function _frame(payload: string | Uint8Array): Uint8Array {
  const text = typeof payload === "string";
  return encodeFrame({
    fin: true,
    rsv: 0,
    opcode: text ? OPCODE.TEXT : OPCODE.BINARY,
    // `encodeInto` underneath: several times faster than `encode` for large text in Deno.
    payload: text ? _encodeUtf8(payload) : payload,
  });
}
