import type { BrokerEvent, BrokerSubscription } from "../messaging/broker.ts";
import { hasWildcard, matchTopic } from "../messaging/topic.ts";
import type { _Keys } from "./_keys.ts";
import { _decodeEvent } from "./_events.ts";

/** @internal The subscriber connection's commands the fan-out needs. */
export interface _PubSub {
  subscribe(channel: string, listener: _Listener, bufferMode: true): Promise<void>;
  unsubscribe(channel: string): Promise<void>;
  pSubscribe(glob: string, listener: _Listener, bufferMode: true): Promise<void>;
  pUnsubscribe(glob: string): Promise<void>;
}

type _Listener = (message: Uint8Array, channel: Uint8Array) => void;

class _Subscription implements BrokerSubscription {
  readonly exact = new Set<string>();
  readonly patterns = new Set<string>();
  constructor(readonly listener: (event: BrokerEvent) => void, readonly fanout: _Fanout) {}
  matches(topic: string): boolean {
    if (this.exact.has(topic)) return true;
    for (const pattern of this.patterns) if (matchTopic(pattern, topic)) return true;
    return false;
  }
  add(pattern: string): Promise<void> {
    const set = hasWildcard(pattern) ? this.patterns : this.exact;
    if (set.has(pattern)) return this.fanout.settled(pattern);
    set.add(pattern);
    return this.fanout.retain(pattern);
  }
  remove(pattern: string): Promise<void> {
    if (!this.exact.delete(pattern) && !this.patterns.delete(pattern)) return Promise.resolve();
    return this.fanout.release(pattern);
  }
  async close(): Promise<void> {
    if (!this.fanout.subscriptions.delete(this)) return;
    const all = [...this.exact, ...this.patterns];
    this.exact.clear();
    this.patterns.clear();
    await Promise.all(all.map((pattern) => this.fanout.release(pattern)));
  }
}

/**
 * @internal One instance's side of live fan-out: its local subscriptions, and the Redis
 * subscriptions (one channel per exact topic, one glob per pattern, shared by every local
 * subscription and reference counted) that feed them.
 *
 * An event matching several Redis subscriptions of this connection arrives once per match,
 * the copies back to back (Redis writes them within one `PUBLISH`): a copy of the previous
 * payload is dropped, so each local subscription sees each event at most once.
 */
export class _Fanout {
  readonly subscriptions = new Set<_Subscription>();
  readonly #refs = new Map<string, number>();
  /** Redis subscriptions in effect. */
  readonly #active = new Set<string>();
  /** The last reconciliation of each pattern, in order. */
  readonly #pending = new Map<string, Promise<void>>();
  #last: Uint8Array | undefined;
  readonly #listener = (payload: Uint8Array) => this.#receive(payload);

  constructor(
    readonly pubsub: _PubSub,
    readonly keys: _Keys,
    readonly onError: (error: unknown) => void,
  ) {}

  subscribe(listener: (event: BrokerEvent) => void): BrokerSubscription {
    const subscription = new _Subscription(listener, this);
    this.subscriptions.add(subscription);
    return subscription;
  }

  retain(pattern: string): Promise<void> {
    this.#refs.set(pattern, (this.#refs.get(pattern) ?? 0) + 1);
    return this.#reconcile(pattern);
  }

  release(pattern: string): Promise<void> {
    const refs = (this.#refs.get(pattern) ?? 1) - 1;
    if (refs > 0) this.#refs.set(pattern, refs);
    else this.#refs.delete(pattern);
    return this.#reconcile(pattern);
  }

  /** Resolves once the pending changes of `pattern` are in effect. */
  settled(pattern: string): Promise<void> {
    return this.#pending.get(pattern) ?? Promise.resolve();
  }

  /** How many local subscriptions match `topic`, and how many Redis subscriptions of ours. */
  count(topic: string): { local: number; redis: number } {
    let local = 0;
    for (const subscription of this.subscriptions) if (subscription.matches(topic)) local++;
    let redis = 0;
    for (const pattern of this.#active) if (_globMatches(pattern, topic)) redis++;
    return { local, redis };
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
  }

  #reconcile(pattern: string): Promise<void> {
    const run = async () => {
      const wanted = this.#refs.has(pattern);
      if (wanted === this.#active.has(pattern)) return;
      const wildcard = hasWildcard(pattern);
      const name = wildcard ? this.keys.glob(pattern) : this.keys.channel(pattern);
      if (wanted) {
        await (wildcard
          ? this.pubsub.pSubscribe(name, this.#listener, true)
          : this.pubsub.subscribe(name, this.#listener, true));
        this.#active.add(pattern);
      } else {
        this.#active.delete(pattern);
        await (wildcard ? this.pubsub.pUnsubscribe(name) : this.pubsub.unsubscribe(name));
      }
    };
    const previous = this.#pending.get(pattern) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(run);
    this.#pending.set(pattern, next);
    const forget = () => {
      if (this.#pending.get(pattern) === next) this.#pending.delete(pattern);
    };
    next.then(forget, forget);
    return next;
  }

  #receive(payload: Uint8Array): void {
    if (this.#last !== undefined && _equal(this.#last, payload)) return;
    this.#last = payload;
    let event: BrokerEvent;
    try {
      event = _decodeEvent(payload);
    } catch (error) {
      return this.onError(error);
    }
    const topic = event.type === "message" ? event.message.topic : event.topic;
    for (const subscription of this.subscriptions) {
      if (!subscription.matches(topic)) continue;
      try {
        subscription.listener(event);
      } catch (error) {
        this.onError(error);
      }
    }
  }
}

// Whether Redis counts the subscription of `pattern` as matching `topic` (see `_Keys.glob`:
// exact unless the pattern ends in `>`, where a `*` may span segments).
function _globMatches(pattern: string, topic: string): boolean {
  if (!pattern.endsWith(">")) return matchTopic(pattern, topic);
  const body = pattern.slice(0, -1).split(".").map((s) =>
    s === "*" ? ".*" : s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  ).join("\\.");
  return new RegExp(`^${body}.*$`, "s").test(topic);
}

function _equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
