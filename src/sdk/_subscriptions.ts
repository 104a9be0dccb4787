import type { ClientEnvelope, EnvelopeId } from "../messaging/envelope.ts";
import { type ErrorBody, RpcError } from "../messaging/errors.ts";
import { isTopicName, matchTopic } from "../messaging/topic.ts";
import type { RecoveryEvent, ResumeEvent } from "./client_state.ts";
import type { DeliveryInfo, Subscription } from "./subscription.ts";
import { _TopicCursors } from "./_topic_cursors.ts";

type _Handler = (data: never, info: DeliveryInfo) => void;

interface _Entry {
  ready: Promise<void>;
  confirm(): void;
  refuse(error: unknown): void;
  handlers: Set<_Handler>;
  // A `subscribed` answer arrived on some connection: a later reconnection is a recovery.
  active: boolean;
}

/** @internal What {@linkcode _Subscriptions} needs from the client. */
export interface _SubscriptionHooks {
  send(envelope: ClientEnvelope): boolean;
  nextId(): number;
  recovery(event: RecoveryEvent): void;
  resumed(event: ResumeEvent): void;
  report(error: unknown): void;
}

/**
 * @internal The client's subscriptions across connections: sends `subscribe` (with `since`
 * after a reconnection), applies the answers, reports how recovery went, and delivers each
 * message once, in offset order, to every matching handler.
 */
export class _Subscriptions {
  readonly #hooks: _SubscriptionHooks;
  readonly #entries = new Map<string, _Entry>();
  readonly #cursors = new _TopicCursors();
  readonly #pending = new Map<EnvelopeId, { topic: string; recovering: boolean; since: boolean }>();
  #resuming: { waiting: Set<string>; topics: RecoveryEvent[]; session: boolean } | undefined;

  constructor(hooks: _SubscriptionHooks) {
    this.#hooks = hooks;
  }

  /** Adds a handler; subscribes on the server (now when `open`) with the first one. */
  add(topic: string, handler: _Handler, open: boolean): Subscription {
    let entry = this.#entries.get(topic);
    if (entry === undefined) {
      this.#entries.set(topic, entry = _entry());
      if (open) this.#subscribe(topic, false);
    }
    const sub = entry;
    sub.handlers.add(handler);
    const unsubscribe = () => {
      if (!sub.handlers.delete(handler) || sub.handlers.size > 0) return;
      if (this.#entries.get(topic) !== sub) return;
      this.#entries.delete(topic);
      this.#cursors.retain((name) => this.#covered(name));
      this.#hooks.send({ type: "unsubscribe", id: this.#hooks.nextId(), topic });
    };
    return Object.assign(unsubscribe, { ready: sub.ready });
  }

  /** Subscribes everything on a new connection, resuming topics from their last offsets. */
  resubscribe(sessionResumed: boolean): void {
    const recovering = [...this.#entries.values()].some((entry) => entry.active);
    this.#resuming = recovering
      ? { waiting: new Set(), topics: [], session: sessionResumed }
      : undefined;
    // Patterns cannot resume; topics they alone covered start afresh.
    this.#cursors.retain((name) => this.#entries.has(name));
    for (const topic of this.#entries.keys()) this.#subscribe(topic, true);
    this.#maybeResumed();
  }

  /** Forgets what was in flight on a connection that is gone. */
  reset(): void {
    this.#pending.clear();
    this.#resuming = undefined;
  }

  /** Applies a `subscribed` answer. */
  subscribed(envelope: Record<string, unknown>): void {
    const id = envelope.id as EnvelopeId;
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    const { topic } = pending;
    const entry = this.#entries.get(topic);
    if (entry === undefined) return;
    entry.active = true;
    entry.confirm();
    let outcome: RecoveryEvent["reason"] | undefined;
    if (typeof envelope.epoch === "string" && typeof envelope.offset === "number") {
      const position = { epoch: envelope.epoch, offset: envelope.offset };
      const recovered = envelope.recovered as boolean | undefined;
      outcome = this.#cursors.subscribed(topic, position, recovered, pending.since);
    }
    if (!pending.recovering) return;
    // A name without a position to resume from lost what came in between, as did a pattern.
    outcome ??= isTopicName(topic) ? "evicted" : "pattern";
    const event: RecoveryEvent = { topic, recovered: outcome === "resumed", reason: outcome };
    this.#hooks.recovery(event);
    if (this.#resuming?.waiting.delete(topic)) this.#resuming.topics.push(event);
    this.#maybeResumed();
  }

  /** Applies an `error` answer; `false` when `id` was not a subscription's. */
  refused(id: EnvelopeId, error: ErrorBody): boolean {
    const pending = this.#pending.get(id);
    if (pending === undefined) return false;
    this.#pending.delete(id);
    const entry = this.#entries.get(pending.topic);
    // Refused for good (bad topic, forbidden): it is not sent again on reconnection.
    if (entry !== undefined && !entry.active) {
      this.#entries.delete(pending.topic);
      entry.refuse(new RpcError(String(error?.code), String(error?.message)));
    }
    this.#resuming?.waiting.delete(pending.topic);
    this.#maybeResumed();
    return true;
  }

  /** Delivers a `message` envelope, unless it is a duplicate or nobody subscribed. */
  deliver(envelope: Record<string, unknown>): void {
    const { topic, epoch, offset, data } = envelope;
    if (typeof topic !== "string" || typeof epoch !== "string" || typeof offset !== "number") {
      return;
    }
    if (!this.#covered(topic)) return;
    const verdict = this.#cursors.accept(topic, epoch, offset);
    if (!verdict.deliver) return;
    if (verdict.loss !== undefined) {
      this.#hooks.recovery({ topic, recovered: false, reason: verdict.loss });
    }
    const info: DeliveryInfo = { topic, epoch, offset };
    for (const [pattern, entry] of this.#entries) {
      if (!matchTopic(pattern, topic)) continue;
      for (const handler of [...entry.handlers]) {
        try {
          handler(data as never, info);
        } catch (error) {
          this.#hooks.report(error);
        }
      }
    }
  }

  #subscribe(topic: string, resume: boolean): void {
    const id = this.#hooks.nextId();
    const envelope: ClientEnvelope = { type: "subscribe", id, topic };
    const recovering = resume && this.#entries.get(topic)!.active;
    const since = this.#cursors.get(topic);
    if (recovering && since !== undefined) envelope.since = since;
    if (recovering) this.#resuming?.waiting.add(topic);
    this.#pending.set(id, { topic, recovering, since: envelope.since !== undefined });
    this.#hooks.send(envelope);
  }

  #maybeResumed(): void {
    const resuming = this.#resuming;
    if (resuming === undefined || resuming.waiting.size > 0) return;
    this.#resuming = undefined;
    this.#hooks.resumed({
      complete: resuming.topics.every((topic) => topic.recovered),
      topics: resuming.topics,
      sessionResumed: resuming.session,
    });
  }

  #covered(topic: string): boolean {
    for (const pattern of this.#entries.keys()) if (matchTopic(pattern, topic)) return true;
    return false;
  }
}

function _entry(): _Entry {
  let confirm!: () => void;
  let refuse!: (error: unknown) => void;
  const ready = new Promise<void>((resolve, reject) => {
    confirm = resolve;
    refuse = reject;
  });
  // Observed here so that an application that never looks at `ready` gets no unhandled rejection.
  ready.catch(() => {});
  return { ready, confirm, refuse, handlers: new Set(), active: false };
}
