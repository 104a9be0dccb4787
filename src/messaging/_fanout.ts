import type { BrokerSubscription } from "./broker.ts";
import { hasWildcard, matchTopic } from "./topic.ts";
import { _forgetReceived } from "./_received.ts";
import type { _Session } from "./_session.ts";

/**
 * @internal The router's subscription index: which local sessions want which topics, and the
 * one broker subscription that covers them all (a pattern is added to the broker when the first
 * session subscribes to it and removed with the last).
 */
export class _Fanout {
  readonly #exact = new Map<string, Set<_Session>>();
  readonly #patterns = new Map<string, Set<_Session>>();
  readonly #broker: BrokerSubscription;

  constructor(broker: BrokerSubscription) {
    this.#broker = broker;
  }

  /** Adds `session` under `subscription`; resolves once the broker delivers for it. */
  async add(session: _Session, subscription: string): Promise<void> {
    const wildcard = hasWildcard(subscription);
    const index = wildcard ? this.#patterns : this.#exact;
    if (wildcard && !session.subscriptions.has(subscription)) session.patterns++;
    let sessions = index.get(subscription);
    const first = sessions === undefined;
    if (sessions === undefined) index.set(subscription, sessions = new Set());
    sessions.add(session);
    session.subscriptions.add(subscription);
    if (first) await this.#broker.add(subscription);
  }

  /** Removes `session` from `subscription`. */
  remove(session: _Session, subscription: string): void {
    const wildcard = hasWildcard(subscription);
    if (session.subscriptions.delete(subscription) && wildcard && --session.patterns === 0) {
      _forgetReceived(session);
    }
    const index = wildcard ? this.#patterns : this.#exact;
    const sessions = index.get(subscription);
    if (sessions === undefined || !sessions.delete(session) || sessions.size > 0) return;
    index.delete(subscription);
    this.#broker.remove(subscription).catch(() => {});
  }

  /** The sessions subscribed to `topic` by name or pattern, each once. */
  targets(topic: string): Set<_Session> | undefined {
    const exact = this.#exact.get(topic);
    if (this.#patterns.size === 0) return exact;
    let targets: Set<_Session> | undefined;
    for (const [pattern, sessions] of this.#patterns) {
      if (!matchTopic(pattern, topic)) continue;
      targets ??= new Set(exact);
      for (const session of sessions) targets.add(session);
    }
    return targets ?? exact;
  }

  /** Releases the broker subscription. */
  close(): Promise<void> {
    this.#exact.clear();
    this.#patterns.clear();
    return this.#broker.close();
  }
}
