import type { PresenceMember, StreamPosition } from "./envelope.ts";

/** A publication as the broker stores and delivers it. */
export interface BrokerMessage {
  /** Topic name. */
  topic: string;
  /** Epoch of the topic's offset sequence. */
  epoch: string;
  /** Offset in the epoch: 1 for the first message, then without gaps. */
  offset: number;
  /** The payload, as published (brokers that serialise must round-trip it). */
  data: unknown;
  /** When the message was published (ms since the epoch, broker clock). */
  time: number;
}

/** What a {@linkcode BrokerSubscription} receives: publications and presence changes. */
export type BrokerEvent =
  | { type: "message"; message: BrokerMessage }
  | { type: "joined" | "left"; topic: string; member: PresenceMember };

/**
 * One consumer of a broker (typically one router): a set of topic patterns and one listener.
 *
 * Contract: each event is delivered to the listener at most once, however many of the
 * subscription's patterns match its topic; events of one topic arrive in publication order.
 */
export interface BrokerSubscription {
  /** Starts receiving events of topics matching `pattern`; resolves once it is in effect. */
  add(pattern: string): Promise<void>;
  /** Stops receiving events for `pattern` (other patterns may still match the same topics). */
  remove(pattern: string): Promise<void>;
  /** Removes every pattern and the listener. */
  close(): Promise<void>;
}

/** What {@linkcode Broker.publish} reports. */
export interface PublishResult {
  /** The stored message with its epoch and offset. */
  message: BrokerMessage;
  /**
   * How many subscriptions matched the topic when it was published (`0`: nobody listens). For
   * a distributed broker, subscriptions of every instance count.
   */
  receivers: number;
}

/** Options for {@linkcode Broker.history}. */
export interface HistoryOptions {
  /** Return the messages after this position, and whether none is missing. */
  since?: StreamPosition;
  /** At most this many messages (the newest). @default {Infinity} */
  limit?: number;
}

/** What {@linkcode Broker.history} returns. */
export interface HistoryResult {
  /** Retained messages (after `since`, when given), oldest first. */
  messages: BrokerMessage[];
  /** The topic's current epoch and latest offset (0 when nothing was published). */
  position: StreamPosition;
  /**
   * With `since`: `true` when `messages` holds every message after it, `false` when some are
   * lost (evicted, another epoch, or a position ahead of the topic). Without `since`: `true`.
   */
  recovered: boolean;
}

/**
 * Where the router's publications, history and presence live. `MemoryBroker` keeps them in the
 * process; a distributed broker (Redis/Valkey: Pub/Sub for events, Streams for history, hashes
 * with TTL for presence) implements the same contract, which `tests/messaging/_broker_contract.ts`
 * checks. Semantics every broker must keep:
 *
 * - offsets of a topic are 1, 2, 3, … in its epoch, assigned in publication order;
 * - history is bounded (count and age) and `history()` reports losses, never hides them;
 * - a subscription sees each event at most once, in per-topic order;
 * - presence holds one member per session and topic; `join`/`leave` emit events only on change.
 */
export interface Broker {
  /** Creates a subscription delivering events to `listener`. */
  subscribe(listener: (event: BrokerEvent) => void): BrokerSubscription;
  /** Stores `data` in `topic`'s history with the next offset and delivers it. */
  publish(topic: string, data: unknown): Promise<PublishResult>;
  /** Reads a topic's retained history. */
  history(topic: string, options?: HistoryOptions): Promise<HistoryResult>;
  /** Adds or updates a member; resolves `true` when it is new (a `joined` event was sent). */
  join(topic: string, member: PresenceMember): Promise<boolean>;
  /** Removes a member; resolves `true` when it was present (a `left` event was sent). */
  leave(topic: string, session: string): Promise<boolean>;
  /** The members present in a topic, in joining order. */
  presence(topic: string): Promise<PresenceMember[]>;
  /** Releases the broker's resources. */
  close(): Promise<void>;
}
