import type { ServerEnvelope, StreamPosition } from "./envelope.ts";
import { ERROR_CODE } from "./errors.ts";
import { hasWildcard, isTopicPattern } from "./topic.ts";
import { _deliver, _release } from "./_deliver.ts";
import { _prepare } from "./_prepared.ts";
import { _overlap } from "./_received.ts";
import type { _RouterState } from "./_router_state.ts";
import type { _Session } from "./_session.ts";

/** @internal Answers a client's `subscribe`: validation, limits, authorization, then subscribes. */
export async function _onSubscribe(
  state: _RouterState,
  session: _Session,
  id: string | number,
  topic: string,
  since: StreamPosition | undefined,
): Promise<void> {
  if (!isTopicPattern(topic) || (since !== undefined && hasWildcard(topic))) {
    return session.sendError(
      id,
      ERROR_CODE.BAD_TOPIC,
      `Cannot subscribe to "${topic}": invalid topic`,
    );
  }
  if (session.subscriptions.has(topic)) {
    return session.sendError(
      id,
      ERROR_CODE.ALREADY_SUBSCRIBED,
      `Cannot subscribe to ${topic}: already subscribed`,
    );
  }
  if (session.subscriptions.size >= state.options.maxSubscriptions) {
    return session.sendError(
      id,
      ERROR_CODE.LIMIT_EXCEEDED,
      `Cannot subscribe to ${topic}: too many subscriptions`,
    );
  }
  if (!await state.allowed(session, "subscribe", topic)) {
    return session.sendError(id, ERROR_CODE.FORBIDDEN, `Cannot subscribe to ${topic}: not allowed`);
  }
  await _subscribe(state, session, topic, since, id);
}

/** @internal Answers a client's `unsubscribe`. */
export function _onUnsubscribe(
  state: _RouterState,
  session: _Session,
  id: string | number,
  topic: string,
): void {
  if (!session.subscriptions.has(topic)) {
    return session.sendError(
      id,
      ERROR_CODE.NOT_SUBSCRIBED,
      `Cannot unsubscribe from ${topic}: not subscribed`,
    );
  }
  state.fanout.remove(session, topic);
  session.send({ type: "ok", id });
}

/**
 * @internal Subscribes `session` to `topic`, answers `subscribed` when `id` is given, and
 * recovers the history after `since`.
 *
 * Deliveries to the session are held from before the broker subscription until the reply and
 * the recovered history are out, so nothing slips between history and live messages.
 */
export async function _subscribe(
  state: _RouterState,
  session: _Session,
  topic: string,
  since: StreamPosition | undefined,
  id?: string | number,
): Promise<void> {
  session.holding++;
  try {
    await state.fanout.add(session, topic);
    if (hasWildcard(topic)) {
      if (id !== undefined) session.send({ type: "subscribed", id, topic });
      return;
    }
    const overlap = since === undefined ? undefined : _overlap(session, topic, since);
    const history = await state.broker.history(
      topic,
      since === undefined ? { limit: 0 } : { since },
    );
    if (session.closed) return;
    const { epoch, offset } = history.position;
    let messages = history.messages;
    let recovered = history.recovered;
    if (overlap !== undefined) {
      // One delivery per connection per publication (PROTOCOL.md §7): skip what the pattern
      // already delivered; what lies before it cannot come after it without breaking order.
      messages = messages.filter((m) => m.offset > overlap.after);
      const next = messages[0]?.offset ?? offset + 1;
      recovered = overlap.complete && epoch === since!.epoch &&
        next === Math.min(overlap.after, offset) + 1;
    }
    if (since !== undefined) state.options.metrics?.recordHistoryRecovery(recovered);
    if (id !== undefined) {
      const reply: ServerEnvelope = { type: "subscribed", id, topic, epoch, offset };
      if (since !== undefined) reply.recovered = recovered;
      session.send(reply);
    }
    if (since === undefined) return;
    for (const m of messages) {
      const envelope = { type: "message", topic, epoch: m.epoch, offset: m.offset, data: m.data };
      _deliver(state, session, {
        type: "message",
        topic,
        offset: m.offset,
        epoch: m.epoch,
        prepared: _prepare(session.codec, envelope),
      });
    }
    session.covered.set(topic, Math.max(offset, session.covered.get(topic) ?? 0));
  } finally {
    if (--session.holding === 0) _release(state, session);
  }
}
