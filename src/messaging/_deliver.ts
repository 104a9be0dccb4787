import type { BrokerEvent } from "./broker.ts";
import type { Codec } from "./codec.ts";
import type { ServerEnvelope } from "./envelope.ts";
import type { DeadLetter } from "./router_options.ts";
import { _trackReceived } from "./_received.ts";
import { _prepare, _write } from "./_prepared.ts";
import type { _RouterState } from "./_router_state.ts";
import type { _Held, _Session } from "./_session.ts";

/**
 * @internal Fans a broker event out to the local sessions subscribed to its topic: one encoding
 * per codec in use, the same bytes written to every subscriber with that codec.
 */
export function _onBrokerEvent(state: _RouterState, event: BrokerEvent): void {
  const topic = event.type === "message" ? event.message.topic : event.topic;
  const targets = state.fanout.targets(topic);
  if (event.type === "message") state.options.metrics?.recordPublish(targets?.size ?? 0);
  if (targets === undefined || targets.size === 0) return;
  let envelope: ServerEnvelope;
  let offset: number | undefined;
  let epoch: string | undefined;
  if (event.type === "message") {
    const { data } = event.message;
    epoch = event.message.epoch;
    offset = event.message.offset;
    envelope = { type: "message", topic, epoch, offset, data };
  } else {
    envelope = { type: event.type, topic, member: event.member };
  }
  // One encoding, and one delivery item (never modified), per codec in use.
  const items = new Map<Codec, _Held>();
  for (const session of targets) {
    if (session.plain && offset === undefined) continue; // Presence events are aero-only.
    let item = items.get(session.codec);
    if (item === undefined) {
      const prepared = _prepare(session.codec, envelope);
      items.set(session.codec, item = { type: envelope.type, topic, offset, epoch, prepared });
    }
    if (session.holding === 0) _deliver(state, session, item);
    else if (session.held.length < state.options.maxHeldMessages) session.held.push(item);
    else state.fatal(session, 1013, "too many held messages");
  }
}

/** @internal Writes one delivery; a refusal by the slow-consumer policy is a dead letter. */
export function _deliver(state: _RouterState, session: _Session, item: _Held): void {
  const written = _write(session.conn, item.prepared);
  if (written === "sent") {
    if (session.patterns > 0 && item.epoch !== undefined) {
      _trackReceived(session, item.topic, item.epoch, item.offset!);
    }
    return;
  }
  if (written === "closed") return;
  const letter: DeadLetter = {
    reason: "slow_consumer",
    session: session.id,
    type: item.type,
    topic: item.topic,
  };
  if (item.offset !== undefined) letter.offset = item.offset;
  state.deadLetter(letter);
}

/**
 * @internal Delivers what was held while the session set up subscriptions, skipping messages
 * the recovered history already covered.
 */
export function _release(state: _RouterState, session: _Session): void {
  const held = session.held;
  session.held = [];
  for (const item of held) {
    const covered = session.covered.get(item.topic);
    if (item.offset !== undefined && covered !== undefined && item.offset <= covered) continue;
    _deliver(state, session, item);
  }
  session.covered.clear();
}
