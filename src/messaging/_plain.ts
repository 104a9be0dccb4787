import type { WebSocketConnection } from "../connection/websocket_connection.ts";
import type { Message } from "../protocol/message.ts";
import type { Codec } from "./codec.ts";
import { _cleanup } from "./_inbound.ts";
import type { _RouterState } from "./_router_state.ts";
import { _Session } from "./_session.ts";
import { _subscribe } from "./_subscriptions.ts";

/**
 * @internal What a plain (non-`aero`) connection receives: a `message` envelope becomes its bare
 * `data` — strings as text, bytes as binary, anything else as JSON text. Every plain connection
 * shares this codec, so a publication is still encoded once for all of them.
 */
export const _PLAIN_CODEC: Codec = {
  protocol: "aero.v1.json", // Unused: plain sessions never negotiate a codec.
  binary: false,
  encode(value: unknown): string | Uint8Array {
    const data = (value as { data?: unknown }).data;
    if (typeof data === "string" || data instanceof Uint8Array) return data;
    return JSON.stringify(data ?? null);
  },
  decode(data: string | Uint8Array): unknown {
    return data;
  },
};

/** @internal Options of `Router.attach`, resolved. */
export interface _AttachOptions {
  topics: readonly string[];
  onMessage: ((message: Message, session: string) => unknown) | undefined;
}

/**
 * @internal Mounts a plain connection as a session subscribed to `topics`; each message it sends
 * goes to `onMessage`, one at a time, in order.
 */
export async function _attachConnection(
  state: _RouterState,
  conn: WebSocketConnection,
  options: _AttachOptions,
): Promise<void> {
  const session = new _Session(conn, _PLAIN_CODEC);
  session.plain = true;
  session.id = crypto.randomUUID();
  session.connected = true;
  state.sessions.add(session);
  try {
    for (const topic of options.topics) await _subscribe(state, session, topic, undefined);
    for await (const message of conn) {
      if (session.closed) break;
      try {
        await options.onMessage?.(message, session.id);
      } catch (error) {
        state.options.onError(error);
      }
    }
  } catch (error) {
    state.options.onError(error);
  } finally {
    await _cleanup(state, session);
  }
}
