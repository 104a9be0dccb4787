import { Buffer } from "node:buffer";
import { createClient, RESP_TYPES } from "redis";
import type {
  Broker,
  BrokerEvent,
  BrokerSubscription,
  HistoryOptions,
  HistoryResult,
  PublishResult,
} from "../messaging/broker.ts";
import type { PresenceMember } from "../messaging/envelope.ts";
import { _decodeEntry, _encodeData } from "./_events.ts";
import { _Fanout, type _PubSub } from "./_fanout.ts";
import { _Keys } from "./_keys.ts";
import { _logError } from "./_logger.ts";
import { _Presence } from "./_presence.ts";
import { _HISTORY, _PUBLISH, type _Send } from "./_scripts.ts";
import {
  type _ResolvedRedisBrokerOptions,
  _resolveRedisBrokerOptions,
  type RedisBrokerOptions,
} from "./redis_broker_options.ts";

// deno-lint-ignore no-explicit-any
type _Client = any;

const _BYTES = { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } } as const;

/**
 * A {@linkcode Broker} in Redis or Valkey (7 or later), shared by every instance that uses the
 * same server and key prefix, with the semantics of `MemoryBroker`:
 *
 * - **offsets and epochs**: one Redis Stream per topic holds its history (entry ids
 *   `<ms>-<offset>`, trimmed with `MAXLEN` and `MINID`); a hash holds its epoch and latest
 *   offset. A topic whose hash is gone (expired after `topicTtl`, or lost) starts a new epoch.
 * - **live fan-out through Pub/Sub**: one channel per topic. A Lua script assigns the offset,
 *   appends to the stream and publishes, atomically, so every instance sees a topic's
 *   publications in offset order and the offsets match the history.
 * - **recovery**: `history()` reads the stream newest first, only as far back as needed, and
 *   reports `recovered: false` whenever a message after `since` is missing.
 * - **presence** per topic in a hash; members of an instance that stops heartbeating (a crash)
 *   leave after about `presenceTtl`.
 *
 * Events reach listeners asynchronously (after `publish`, `join` or `leave` resolve). For
 * `receivers`, this instance's subscriptions count exactly; another instance counts once per
 * Redis subscription of it that matches (a `*` before a final `>` may over-match there).
 * Pub/Sub delivers at most once: while a connection is down its events are lost, and
 * clients recover them from history with `since`. One Redis node (with replicas if you like):
 * the scripts touch several keys, which Redis Cluster would need in one slot.
 *
 * @example Two instances: a publication on one reaches the other, and history
 * ```ts
 * import { RedisBroker } from "@aero/socket/redis";
 * import assert from "node:assert/strict";
 *
 * const keyPrefix = `example:${crypto.randomUUID()}:`;
 * const one = await RedisBroker.connect({ keyPrefix });
 * const two = await RedisBroker.connect({ keyPrefix });
 * const seen: unknown[] = [];
 * const received = Promise.withResolvers<void>();
 * const subscription = two.subscribe((event) => {
 *   if (event.type === "message") seen.push(event.message.data);
 *   if (seen.length === 2) received.resolve();
 * });
 * await subscription.add("chat.*");
 * await one.publish("chat.lobby", "a");
 * const { message, receivers } = await one.publish("chat.lobby", { text: "b" });
 * assert.equal(message.offset, 2);
 * assert.equal(receivers, 1);
 * await received.promise;
 * assert.deepEqual(seen, ["a", { text: "b" }]);
 * const since = { epoch: message.epoch, offset: 1 };
 * const history = await two.history("chat.lobby", { since });
 * assert.deepEqual(history.messages.map((m) => m.data), [{ text: "b" }]);
 * assert.equal(history.recovered, true);
 * await one.destroyKeys();
 * await Promise.all([one.close(), two.close()]);
 * ```
 */
export class RedisBroker implements Broker {
  readonly #options: _ResolvedRedisBrokerOptions;
  readonly #keys: _Keys;
  readonly #commands: _Client;
  readonly #subscriber: _Client;
  readonly #send: _Send;
  readonly #fanout: _Fanout;
  readonly #presence: _Presence;
  readonly #onError: (error: unknown) => void;
  #closing: Promise<void> | undefined;

  private constructor(
    options: _ResolvedRedisBrokerOptions,
    commands: _Client,
    subscriber: _Client,
  ) {
    this.#options = options;
    this.#keys = new _Keys(options.keyPrefix);
    this.#commands = commands;
    this.#subscriber = subscriber;
    this.#onError = options.onError ?? ((error) => _logError("redis broker", error));
    this.#send = (args) => commands.sendCommand(args, _BYTES);
    this.#fanout = new _Fanout(subscriber as _PubSub, this.#keys, this.#onError);
    const instance = crypto.randomUUID();
    this.#presence = new _Presence(
      this.#send,
      this.#keys,
      instance,
      options.presenceTtl,
      this.#onError,
    );
  }

  /**
   * Connects to Redis (two connections: commands, and Pub/Sub) and registers this instance.
   *
   * @throws {TypeError | RangeError} for invalid options; rejects when Redis is unreachable.
   * @example Connect with a key prefix and close
   * ```ts
   * import { RedisBroker } from "@aero/socket/redis";
   * import assert from "node:assert/strict";
   *
   * const broker = await RedisBroker.connect({ keyPrefix: `example:${crypto.randomUUID()}:` });
   * assert.equal((await broker.history("news")).position.offset, 0);
   * await broker.destroyKeys();
   * await broker.close();
   * ```
   */
  static async connect(options: RedisBrokerOptions = {}): Promise<RedisBroker> {
    const resolved = _resolveRedisBrokerOptions(options);
    const onError = resolved.onError ?? ((error: unknown) => _logError("redis connection", error));
    const commands = _createClient(resolved, onError);
    const subscriber = _createClient(resolved, onError);
    try {
      await Promise.all([commands.connect(), subscriber.connect()]);
    } catch (error) {
      commands.destroy();
      subscriber.destroy();
      throw new Error(`Cannot connect broker: ${resolved.url} is unreachable`, { cause: error });
    }
    const broker = new RedisBroker(resolved, commands, subscriber);
    await broker.#presence.heartbeat();
    return broker;
  }

  /** The key prefix of this broker's keys and channels. */
  get keyPrefix(): string {
    return this.#options.keyPrefix;
  }

  /** {@inheritDoc Broker.subscribe} */
  subscribe(listener: (event: BrokerEvent) => void): BrokerSubscription {
    return this.#fanout.subscribe(listener);
  }

  /** {@inheritDoc Broker.publish} */
  async publish(topic: string, data: unknown): Promise<PublishResult> {
    const { maxHistory, historyTtl, topicTtl } = this.#options;
    const keys = [this.#keys.meta(topic), this.#keys.stream(topic)];
    const args = [
      _newEpoch(),
      _encodeData(data),
      String(maxHistory),
      String(historyTtl),
      String(topicTtl),
      this.#now(),
      this.#keys.channel(topic),
      topic,
    ];
    const reply = await _PUBLISH.run(this.#send, keys, args);
    const [epoch, offset, time, published] = reply as [Uint8Array, number, number, number];
    const { local, redis } = this.#fanout.count(topic);
    return {
      message: { topic, epoch: _text.decode(epoch), offset, data, time },
      receivers: local + Math.max(0, published - redis),
    };
  }

  /** {@inheritDoc Broker.history} */
  async history(topic: string, options: HistoryOptions = {}): Promise<HistoryResult> {
    const { since, limit = Infinity } = options;
    const keys = [this.#keys.meta(topic), this.#keys.stream(topic)];
    const args = [
      _newEpoch(),
      String(this.#options.historyTtl),
      String(this.#options.topicTtl),
      this.#now(),
      since?.epoch ?? "",
      String(since === undefined ? -1 : Math.max(0, Math.floor(since.offset))),
      String(Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : -1),
    ];
    const reply = await _HISTORY.run(this.#send, keys, args);
    const [rawEpoch, latest, entries] = reply as [Uint8Array, number, unknown[]];
    const epoch = _text.decode(rawEpoch);
    const position = { epoch, offset: latest };
    const messages = entries.map((entry) => _decodeEntry(topic, epoch, entry)).reverse();
    if (since === undefined) return { messages, position, recovered: true };
    if (since.epoch !== epoch || since.offset > latest) {
      return { messages: [], position, recovered: false };
    }
    const after = messages.filter((m) => m.offset > since.offset);
    const first = after[0]?.offset ?? latest + 1;
    const complete = latest - since.offset <= limit;
    return { messages: after, position, recovered: complete && first === since.offset + 1 };
  }

  /** {@inheritDoc Broker.join} */
  join(topic: string, member: PresenceMember): Promise<boolean> {
    return this.#presence.join(topic, member);
  }

  /** {@inheritDoc Broker.leave} */
  leave(topic: string, session: string): Promise<boolean> {
    return this.#presence.leave(topic, session);
  }

  /** {@inheritDoc Broker.presence} */
  presence(topic: string): Promise<PresenceMember[]> {
    return this.#presence.members(topic);
  }

  /**
   * Deletes every key under this broker's prefix (history, offsets, presence): for tests and
   * decommissioning. Instances still running see the topics start new epochs.
   *
   * @example
   * ```ts
   * import { RedisBroker } from "@aero/socket/redis";
   * import assert from "node:assert/strict";
   *
   * const broker = await RedisBroker.connect({ keyPrefix: `example:${crypto.randomUUID()}:` });
   * const { message } = await broker.publish("t", 1);
   * await broker.destroyKeys();
   * const { position } = await broker.history("t");
   * assert.equal(position.offset, 0);
   * assert.notEqual(position.epoch, message.epoch);
   * await broker.destroyKeys();
   * await broker.close();
   * ```
   */
  async destroyKeys(): Promise<number> {
    const pattern = `${this.#keys.prefix.replace(/[*?[\]\\^]/g, "\\$&")}*`;
    let cursor = "0";
    let deleted = 0;
    do {
      const [next, keys] = await this.#commands.sendCommand([
        "SCAN",
        cursor,
        "MATCH",
        pattern,
        "COUNT",
        "500",
      ]) as [string, string[]];
      cursor = String(next);
      if (keys.length > 0) deleted += Number(await this.#commands.sendCommand(["UNLINK", ...keys]));
    } while (cursor !== "0");
    return deleted;
  }

  /**
   * Removes this instance's presence members (with `left` events) and its subscriptions, then
   * closes both connections. History and offsets stay in Redis for the other instances.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      try {
        await this.#presence.close();
        await this.#fanout.close();
      } catch (error) {
        this.#onError(error);
      } finally {
        await Promise.allSettled([this.#subscriber.close(), this.#commands.close()]);
      }
    })();
    return this.#closing;
  }

  #now(): string {
    return this.#options.now === undefined ? "" : String(Math.floor(this.#options.now()));
  }
}

const _text = new TextDecoder();

function _createClient(options: _ResolvedRedisBrokerOptions, onError: (error: unknown) => void) {
  let opened = false;
  const client = createClient({
    url: options.url,
    socket: {
      connectTimeout: options.connectTimeout,
      // Never opened: give up, so `connect()` rejects; else back off up to 2 s.
      reconnectStrategy: (retries: number, cause: Error) =>
        !opened ? cause : options.reconnect ? Math.min(50 * (retries + 1), 2_000) : false,
    },
  });
  client.on("ready", () => (opened = true));
  client.on("error", onError);
  return client;
}

function _newEpoch(): string {
  return crypto.randomUUID().slice(0, 8);
}
