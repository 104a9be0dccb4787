import type {
  Broker,
  BrokerEvent,
  BrokerMessage,
  BrokerSubscription,
  HistoryOptions,
  HistoryResult,
  PublishResult,
} from "./broker.ts";
import type { PresenceMember } from "./envelope.ts";
import { hasWildcard, matchTopic } from "./topic.ts";
import { _logError } from "./_logger.ts";

/** Options for {@linkcode MemoryBroker}. */
export interface MemoryBrokerOptions {
  /** Most messages kept per topic. @default {100} */
  maxHistory?: number;
  /** Milliseconds a message stays in history. @default {300_000} */
  historyTtl?: number;
  /** The epoch of every topic. @default {a random id, new for every broker} */
  epoch?: string;
  /** Clock for message times and history age. @default {Date.now} */
  now?: () => number;
  /**
   * Receives errors thrown by subscription listeners.
   *
   * @default {undefined} (logged through LogTape as errors under `["aero", "messaging"]`, which
   * is silent unless the application configures LogTape)
   */
  onListenerError?: (error: unknown) => void;
}

interface _Topic {
  offset: number;
  messages: BrokerMessage[];
}

class _Subscription implements BrokerSubscription {
  readonly exact = new Set<string>();
  readonly patterns = new Set<string>();
  constructor(
    readonly listener: (event: BrokerEvent) => void,
    readonly owner: Set<_Subscription>,
  ) {}
  matches(topic: string): boolean {
    if (this.exact.has(topic)) return true;
    for (const pattern of this.patterns) if (matchTopic(pattern, topic)) return true;
    return false;
  }
  add(pattern: string): Promise<void> {
    (hasWildcard(pattern) ? this.patterns : this.exact).add(pattern);
    return Promise.resolve();
  }
  remove(pattern: string): Promise<void> {
    this.exact.delete(pattern);
    this.patterns.delete(pattern);
    return Promise.resolve();
  }
  close(): Promise<void> {
    this.owner.delete(this);
    this.exact.clear();
    this.patterns.clear();
    return Promise.resolve();
  }
}

/**
 * The embedded {@linkcode Broker}: history, offsets and presence in this process. Every topic
 * shares the broker's epoch, so offsets stay valid for the broker's lifetime and a new broker
 * (after a restart) means a new epoch. Events are delivered synchronously, inside `publish`,
 * `join` and `leave`.
 *
 * @example Publish, receive and recover
 * ```ts
 * import { MemoryBroker } from "@aero/socket/messaging";
 * import assert from "node:assert/strict";
 *
 * const broker = new MemoryBroker({ epoch: "e1" });
 * const seen: number[] = [];
 * const subscription = broker.subscribe((event) => {
 *   if (event.type === "message") seen.push(event.message.offset);
 * });
 * await subscription.add("chat.*");
 * await broker.publish("chat.lobby", "a");
 * const { receivers } = await broker.publish("chat.lobby", "b");
 * assert.equal(receivers, 1);
 * assert.deepEqual(seen, [1, 2]);
 * const history = await broker.history("chat.lobby", { since: { epoch: "e1", offset: 1 } });
 * assert.deepEqual(history.messages.map((m) => m.data), ["b"]);
 * assert.equal(history.recovered, true);
 * await broker.close();
 * ```
 */
export class MemoryBroker implements Broker {
  readonly #topics = new Map<string, _Topic>();
  readonly #presence = new Map<string, Map<string, PresenceMember>>();
  readonly #subscriptions = new Set<_Subscription>();
  readonly #maxHistory: number;
  readonly #historyTtl: number;
  readonly #epoch: string;
  readonly #now: () => number;
  readonly #onListenerError: (error: unknown) => void;

  /** Creates an empty broker. */
  constructor(options: MemoryBrokerOptions = {}) {
    this.#maxHistory = options.maxHistory ?? 100;
    this.#historyTtl = options.historyTtl ?? 300_000;
    for (
      const [name, value] of [["maxHistory", this.#maxHistory], [
        "historyTtl",
        this.#historyTtl,
      ]] as const
    ) {
      if (!Number.isSafeInteger(value) || value < 0) {
        throw new RangeError(`Cannot create broker: invalid ${name} ${value}`);
      }
    }
    this.#epoch = options.epoch ?? crypto.randomUUID().slice(0, 8);
    if (this.#epoch.length === 0 || this.#epoch.length > 64) {
      throw new RangeError("Cannot create broker: epoch must be 1 to 64 characters");
    }
    this.#now = options.now ?? Date.now;
    this.#onListenerError = options.onListenerError ??
      ((error) => _logError("broker listener", error));
  }

  /** The epoch of every topic of this broker. */
  get epoch(): string {
    return this.#epoch;
  }

  /** {@inheritDoc Broker.subscribe} */
  subscribe(listener: (event: BrokerEvent) => void): BrokerSubscription {
    const subscription = new _Subscription(listener, this.#subscriptions);
    this.#subscriptions.add(subscription);
    return subscription;
  }

  /** {@inheritDoc Broker.publish} */
  publish(topic: string, data: unknown): Promise<PublishResult> {
    let state = this.#topics.get(topic);
    if (state === undefined) this.#topics.set(topic, state = { offset: 0, messages: [] });
    const time = this.#now();
    const message: BrokerMessage = {
      topic,
      epoch: this.#epoch,
      offset: ++state.offset,
      data,
      time,
    };
    if (this.#maxHistory > 0) {
      state.messages.push(message);
      if (state.messages.length > this.#maxHistory) state.messages.shift();
    }
    this.#evict(state, time);
    const receivers = this.#emit(topic, { type: "message", message });
    return Promise.resolve({ message, receivers });
  }

  /** {@inheritDoc Broker.history} */
  history(topic: string, options: HistoryOptions = {}): Promise<HistoryResult> {
    const state = this.#topics.get(topic);
    if (state !== undefined) this.#evict(state, this.#now());
    const latest = state?.offset ?? 0;
    const retained = state?.messages ?? [];
    const position = { epoch: this.#epoch, offset: latest };
    const { since, limit = Infinity } = options;
    let messages = retained;
    let recovered = true;
    if (since !== undefined) {
      if (since.epoch !== this.#epoch || since.offset > latest) {
        return Promise.resolve({ messages: [], position, recovered: false });
      }
      messages = retained.filter((m) => m.offset > since.offset);
      const first = messages[0]?.offset ?? latest + 1;
      recovered = first === since.offset + 1;
    }
    if (messages.length > limit) {
      messages = messages.slice(messages.length - limit);
      if (since !== undefined) recovered = false;
    }
    return Promise.resolve({ messages: messages.slice(), position, recovered });
  }

  /** {@inheritDoc Broker.join} */
  join(topic: string, member: PresenceMember): Promise<boolean> {
    let members = this.#presence.get(topic);
    if (members === undefined) this.#presence.set(topic, members = new Map());
    const isNew = !members.has(member.session);
    const stored: PresenceMember = { session: member.session };
    if (member.data !== undefined) stored.data = member.data;
    members.set(member.session, stored);
    if (isNew) this.#emit(topic, { type: "joined", topic, member: stored });
    return Promise.resolve(isNew);
  }

  /** {@inheritDoc Broker.leave} */
  leave(topic: string, session: string): Promise<boolean> {
    const members = this.#presence.get(topic);
    const member = members?.get(session);
    if (member === undefined) return Promise.resolve(false);
    members!.delete(session);
    if (members!.size === 0) this.#presence.delete(topic);
    this.#emit(topic, { type: "left", topic, member });
    return Promise.resolve(true);
  }

  /** {@inheritDoc Broker.presence} */
  presence(topic: string): Promise<PresenceMember[]> {
    return Promise.resolve([...(this.#presence.get(topic)?.values() ?? [])]);
  }

  /** Drops every subscription, message and member. */
  close(): Promise<void> {
    for (const subscription of [...this.#subscriptions]) subscription.close();
    this.#topics.clear();
    this.#presence.clear();
    return Promise.resolve();
  }

  #evict(state: _Topic, now: number): void {
    const oldest = now - this.#historyTtl;
    let drop = 0;
    while (drop < state.messages.length && state.messages[drop]!.time <= oldest) drop++;
    if (drop > 0) state.messages.splice(0, drop);
  }

  #emit(topic: string, event: BrokerEvent): number {
    let receivers = 0;
    for (const subscription of this.#subscriptions) {
      if (!subscription.matches(topic)) continue;
      receivers++;
      try {
        subscription.listener(event);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
    return receivers;
  }
}
