import type { WebSocketConnection } from "../connection/websocket_connection.ts";
import type { EnvelopeId } from "../messaging/envelope.ts";
import type { ErrorBody } from "../messaging/errors.ts";
import type { _Calls } from "./_calls.ts";
import type { _Emitter } from "./_emitter.ts";
import type { _Session } from "./_session.ts";
import type { _Subscriptions } from "./_subscriptions.ts";

/** @internal Where {@linkcode _dispatch} hands what the server sends. */
export interface _DispatchTargets {
  readonly subs: _Subscriptions;
  readonly calls: _Calls;
  readonly session: _Session;
  readonly events: _Emitter;
  /** Answers a request of the server received on `conn`. */
  request(conn: WebSocketConnection, envelope: Record<string, unknown>): void;
}

/**
 * @internal Routes one envelope the server sent on `conn`: messages to the subscriptions,
 * answers to the calls or the handshake waiting for them, requests to their handler, the rest
 * to the client's events.
 */
export function _dispatch(
  conn: WebSocketConnection,
  envelope: Record<string, unknown>,
  to: _DispatchTargets,
): void {
  const id = envelope.id as EnvelopeId | undefined;
  switch (envelope.type) {
    case "message":
      return to.subs.deliver(envelope);
    case "joined":
    case "left":
      return to.events.emit("presence", envelope as never);
    case "request":
      return to.request(conn, envelope);
    case "subscribed":
      return to.subs.subscribed(envelope);
    // The one `welcome` of a connection answers its `connect`, whether or not it echoes the id.
    case "welcome":
      return to.session.welcome(envelope);
    case "ack":
      return void to.calls.answer(
        id!,
        { epoch: envelope.epoch, offset: envelope.offset },
        undefined,
      );
    case "presence":
      return void to.calls.answer(id!, envelope.members, undefined);
    case "response":
    case "ok":
      return void to.calls.answer(id!, envelope.data, envelope.error as ErrorBody | undefined);
    case "error":
      return _error(id, envelope.error as ErrorBody, to);
  }
}

function _error(id: EnvelopeId | undefined, error: ErrorBody, to: _DispatchTargets): void {
  if (to.session.refused(id, error)) return;
  if (id !== undefined && to.calls.answer(id, undefined, error)) return;
  if (id !== undefined) to.subs.refused(id, error);
  to.events.emit("error", error);
}
