import type { WebSocketConnection } from "../connection/websocket_connection.ts";
import type { Message } from "../protocol/message.ts";
import type { PublishResult } from "./broker.ts";
import type { Codec } from "./codec.ts";
import { decodeEnvelope } from "./decode_envelope.ts";
import type { ClientEnvelope, ServerEnvelope } from "./envelope.ts";
import { EnvelopeError, ERROR_CODE, RpcError } from "./errors.ts";
import { isTopicName } from "./topic.ts";
import { _leaveAll, _onPresence } from "./_presence.ts";
import type { _RouterState } from "./_router_state.ts";
import { _cancelRequests, _onRequest, _onResponse } from "./_rpc_methods.ts";
import { _Session } from "./_session.ts";
import { _onRefresh } from "./_refresh.ts";
import { _onSubscribe, _onUnsubscribe } from "./_subscriptions.ts";

/** @internal Reads envelopes from `conn` until it closes, then cleans the session up. */
export async function _handleConnection(
  state: _RouterState,
  conn: WebSocketConnection,
  codec: Codec,
): Promise<void> {
  const session = new _Session(conn, codec);
  const timer = setTimeout(() => {
    if (!session.connected) state.fatal(session, 1008, ERROR_CODE.NOT_CONNECTED);
  }, state.options.connectTimeout);
  try {
    for await (const message of conn) {
      if (session.closed) break;
      await _onMessage(state, session, message);
    }
  } catch (error) {
    state.options.onError(error);
  } finally {
    clearTimeout(timer);
    await _cleanup(state, session);
  }
}

/**
 * @internal Publishes (for the server, or for a client's `envelope`, whose `trace` then parents
 * the span); a `required` publication nobody receives is a dead letter.
 */
export async function _publish(
  state: _RouterState,
  topic: string,
  data: unknown,
  required: boolean,
  envelope?: { trace?: unknown },
): Promise<PublishResult> {
  const publish = () => state.broker.publish(topic, data);
  const result = await (state.tracing?.publish(topic, envelope, publish) ?? publish());
  if (required && result.receivers === 0) {
    state.deadLetter({ reason: "no_subscribers", topic, data });
  }
  return result;
}

async function _onMessage(state: _RouterState, session: _Session, message: Message): Promise<void> {
  let envelope: ClientEnvelope;
  try {
    envelope = decodeEnvelope(message, session.codec, { maxSize: state.options.maxEnvelopeSize });
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
    if (error.closeCode !== undefined) return state.fatal(session, error.closeCode, error.code);
    if (++session.errors > state.options.maxErrors) {
      return state.fatal(session, 1008, ERROR_CODE.TOO_MANY_ERRORS);
    }
    return session.sendError(error.id, error.code, error.message);
  }
  try {
    await _dispatch(state, session, envelope);
  } catch (error) {
    state.options.onError(error);
    const id = "id" in envelope ? envelope.id : undefined;
    session.sendError(id, ERROR_CODE.INTERNAL, `Cannot handle ${envelope.type}: internal error`);
  }
}

async function _dispatch(
  state: _RouterState,
  session: _Session,
  envelope: ClientEnvelope,
): Promise<void> {
  if (!session.connected) {
    if (envelope.type !== "connect") return state.fatal(session, 1008, ERROR_CODE.NOT_CONNECTED);
    return await _onConnect(state, session, envelope);
  }
  switch (envelope.type) {
    case "connect":
      return session.sendError(
        envelope.id,
        ERROR_CODE.ALREADY_CONNECTED,
        "Cannot connect: already connected",
      );
    case "subscribe":
      return await _onSubscribe(state, session, envelope.id, envelope.topic, envelope.since);
    case "unsubscribe":
      return _onUnsubscribe(state, session, envelope.id, envelope.topic);
    case "publish":
      return await _onPublish(state, session, envelope);
    case "request":
      // Requests run concurrently: a slow handler does not hold up the connection.
      _onRequest(state, session, envelope).catch(state.options.onError);
      return;
    case "response":
      return _onResponse(session, envelope);
    case "join":
    case "leave":
    case "presence":
      return await _onPresence(state, session, envelope);
    case "refresh":
      return await _onRefresh(state, session, envelope);
  }
}

async function _onConnect(
  state: _RouterState,
  session: _Session,
  envelope: Extract<ClientEnvelope, { type: "connect" }>,
): Promise<void> {
  let id = state.sessions.resume(envelope.resume);
  const resumed = id !== undefined;
  id ??= crypto.randomUUID();
  let data: unknown;
  if (state.options.onConnect !== undefined) {
    try {
      data = await state.options.onConnect({
        conn: session.conn,
        session: id,
        resumed,
        data: envelope.data,
      });
    } catch (error) {
      const message = error instanceof RpcError ? error.message : "Cannot connect: refused";
      session.sendError(envelope.id, ERROR_CODE.FORBIDDEN, message);
      return state.fatal(session, 1008, ERROR_CODE.FORBIDDEN);
    }
  }
  if (session.closed) return;
  // The resumed id may have been taken by another connection while the hook ran.
  if (state.sessions.get(id) !== undefined) id = crypto.randomUUID();
  session.id = id;
  session.connected = true;
  const token = state.sessions.add(session);
  const welcome: ServerEnvelope = { type: "welcome", session: id, resume: token, resumed };
  if (envelope.id !== undefined) welcome.id = envelope.id;
  if (data !== undefined) welcome.data = data;
  session.send(welcome);
}

async function _onPublish(
  state: _RouterState,
  session: _Session,
  envelope: Extract<ClientEnvelope, { type: "publish" }>,
): Promise<void> {
  const { id, topic } = envelope;
  if (!isTopicName(topic)) {
    return session.sendError(
      id,
      ERROR_CODE.BAD_TOPIC,
      `Cannot publish to "${topic}": invalid topic name`,
    );
  }
  if (!await state.allowed(session, "publish", topic)) {
    return session.sendError(id, ERROR_CODE.FORBIDDEN, `Cannot publish to ${topic}: not allowed`);
  }
  if (state.options.security?.allowPublish(topic, session.conn) === false) {
    return session.sendError(
      id,
      ERROR_CODE.LIMIT_EXCEEDED,
      `Cannot publish to ${topic}: publish rate limit exceeded`,
    );
  }
  const required = envelope.required === true;
  const data = envelope.data === undefined ? null : envelope.data;
  const { message, receivers } = await _publish(state, topic, data, required, envelope);
  if (required && receivers === 0) {
    return session.sendError(
      id,
      ERROR_CODE.NO_SUBSCRIBERS,
      `Cannot publish to ${topic}: no subscribers`,
    );
  }
  if (envelope.ack === true) {
    session.send({ type: "ack", id: id!, topic, epoch: message.epoch, offset: message.offset });
  }
}

/** @internal Releases a closed session: requests, subscriptions, presence. */
export async function _cleanup(state: _RouterState, session: _Session): Promise<void> {
  session.closed = true;
  session.held = [];
  _cancelRequests(session);
  if (!session.connected) return;
  state.sessions.remove(session);
  for (const topic of [...session.subscriptions]) state.fanout.remove(session, topic);
  await _leaveAll(state, session);
}
