import type { StreamPosition } from "./envelope.ts";
import { hasWildcard, matchTopic } from "./topic.ts";
import type { _Session } from "./_session.ts";

/** @internal Topics whose received offsets one connection tracks (oldest forgotten first). */
export const _MAX_TRACKED_TOPICS = 1_024;

/** @internal The contiguous offsets of a topic a connection received last: `first`…`last`. */
export interface _Run {
  epoch: string;
  first: number;
  last: number;
}

/**
 * @internal Notes that `session` received `offset` of `topic`. Tracked only while the session
 * has a pattern subscription: that is when a later `since` could overlap live deliveries.
 */
export function _trackReceived(
  session: _Session,
  topic: string,
  epoch: string,
  offset: number,
): void {
  const run = session.received.get(topic);
  if (run !== undefined && run.epoch === epoch) {
    if (offset === run.last + 1) run.last = offset;
    if (offset <= run.last) return;
  }
  if (run === undefined && session.received.size >= _MAX_TRACKED_TOPICS) {
    session.received.delete(session.received.keys().next().value!);
    session.receivedOverflow = true;
  }
  // A gap (a delivery dropped by the slow-consumer policy) starts a new run.
  session.received.delete(topic);
  session.received.set(topic, { epoch, first: offset, last: offset });
}

/** @internal Forgets what was tracked (the session has no pattern subscription left). */
export function _forgetReceived(session: _Session): void {
  session.received.clear();
  session.receivedOverflow = false;
}

/**
 * @internal How a recovery of `topic` after `since` overlaps what `session` already receives
 * live through one of its patterns: recovered messages must come after `after`, and `complete`
 * is `false` when messages between `since` and the pattern's deliveries were never received
 * (sending them now would break per-topic order). `undefined`: no overlap.
 */
export function _overlap(
  session: _Session,
  topic: string,
  since: StreamPosition,
): { after: number; complete: boolean } | undefined {
  if (session.patterns === 0) return undefined;
  let matched = false;
  for (const subscription of session.subscriptions) {
    if (hasWildcard(subscription) && matchTopic(subscription, topic)) matched = true;
  }
  if (!matched) return undefined;
  const run = session.received.get(topic);
  if (run === undefined) {
    // Forgotten runs are unknown: send nothing rather than a possible duplicate.
    return session.receivedOverflow ? { after: Infinity, complete: false } : undefined;
  }
  if (run.epoch !== since.epoch || run.last <= since.offset) return undefined;
  return { after: run.last, complete: run.first <= since.offset + 1 };
}
