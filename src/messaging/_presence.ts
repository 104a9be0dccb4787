import type { ClientEnvelope, PresenceMember } from "./envelope.ts";
import { ERROR_CODE } from "./errors.ts";
import { isTopicName } from "./topic.ts";
import type { _RouterState } from "./_router_state.ts";
import type { _Session } from "./_session.ts";

/** @internal Answers a client's `join`, `leave` or `presence` query. */
export async function _onPresence(
  state: _RouterState,
  session: _Session,
  envelope: Extract<ClientEnvelope, { type: "join" | "leave" | "presence" }>,
): Promise<void> {
  const { id, topic, type } = envelope;
  if (!isTopicName(topic)) {
    return session.sendError(
      id,
      ERROR_CODE.BAD_TOPIC,
      `Cannot ${type} "${topic}": invalid topic name`,
    );
  }
  if (type === "leave") {
    await _leave(state, session, topic);
    session.send({ type: "ok", id });
    return;
  }
  if (!await state.allowed(session, type, topic)) {
    return session.sendError(id, ERROR_CODE.FORBIDDEN, `Cannot ${type} ${topic}: not allowed`);
  }
  if (type === "join") {
    await _join(state, session, topic, envelope.data);
    session.send({ type: "ok", id });
    return;
  }
  const members = await state.broker.presence(topic);
  session.send({ type: "presence", id, topic, members });
}

/** @internal Makes `session` present in `topic` with `data`. */
export async function _join(
  state: _RouterState,
  session: _Session,
  topic: string,
  data: unknown,
): Promise<void> {
  session.presence.add(topic);
  const member: PresenceMember = { session: session.id };
  if (data !== undefined) member.data = data;
  await state.broker.join(topic, member);
  // The connection may have closed (and been cleaned up) meanwhile: leave no ghost behind.
  if (session.closed) await state.broker.leave(topic, session.id);
}

/** @internal Removes `session`'s presence from `topic`. */
export async function _leave(state: _RouterState, session: _Session, topic: string): Promise<void> {
  session.presence.delete(topic);
  await state.broker.leave(topic, session.id);
}

/** @internal Removes a disconnected session's presence everywhere. */
export async function _leaveAll(state: _RouterState, session: _Session): Promise<void> {
  const topics = [...session.presence];
  session.presence.clear();
  for (const topic of topics) {
    try {
      await state.broker.leave(topic, session.id);
    } catch (error) {
      state.options.onError(error);
    }
  }
}
