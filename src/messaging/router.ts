import type { WebSocketConnection } from "../connection/websocket_connection.ts";
import type { Message } from "../protocol/message.ts";
import type { PublishResult } from "./broker.ts";
import type { PresenceMember } from "./envelope.ts";
import type { RpcHandler, RpcMiddleware } from "./rpc.ts";
import type { RouterOptions } from "./router_options.ts";
import type {
  ClientSchema,
  HandlerOf,
  HandlerParams,
  HandlerResult,
  MethodOf,
  MethodParams,
  MethodResult,
  TopicData,
  TopicOf,
} from "./schema.ts";
import { isTopicName, isTopicPattern } from "./topic.ts";
import { _onBrokerEvent } from "./_deliver.ts";
import { _handleConnection, _publish } from "./_inbound.ts";
import { _attachConnection } from "./_plain.ts";
import { _join, _leave } from "./_presence.ts";
import { _RouterState } from "./_router_state.ts";
import { _request } from "./_rpc_methods.ts";
import { _subscribe } from "./_subscriptions.ts";

/** Options for {@linkcode Router.attach}. */
export interface AttachOptions {
  /** Topics and patterns the connection is subscribed to from the start. @default {[]} */
  topics?: readonly string[];
  /**
   * Receives every message the connection sends, one at a time and in order (the next is read
   * once the returned promise settles), with the connection's session id — to publish it, for
   * example. Errors go to {@linkcode RouterOptions.onError}.
   *
   * @default {undefined} (messages are ignored)
   */
  onMessage?: (message: Message, session: string) => unknown;
}

/** Options for {@linkcode Router.request}. */
export interface RequestOptions {
  /** Milliseconds to wait for the answer. @default {RouterOptions.rpcTimeout} (30,000) */
  timeout?: number;
}

/**
 * The server side of `aero.v1`: mount it on connections with {@linkcode Router.handle}. It
 * routes publications through its {@linkcode Broker} to every subscribed connection, encoding
 * each delivery once per codec and writing the same bytes to every subscriber; serves RPC
 * handlers; tracks presence; and recovers missed messages from history. Create it with
 * {@linkcode createRouter}.
 *
 * @example A router on an in-memory connection
 * ```ts
 * import { Connection } from "@aero/socket";
 * import { createRouter } from "@aero/socket/messaging";
 * import { createTransportPair } from "@aero/socket/testing";
 * import assert from "node:assert/strict";
 *
 * await using router = createRouter();
 * router.method("add", ({ data }) => (data as number[]).reduce((a, b) => a + b, 0));
 * const [a, b] = createTransportPair();
 * const done = router.handle(new Connection(a, { role: "server", protocol: "aero.v1.json" }));
 * const client = new Connection(b, { role: "client" });
 * const replies = client[Symbol.asyncIterator]();
 * client.sendJson({ type: "connect" });
 * assert.equal(JSON.parse((await replies.next()).value.data).type, "welcome");
 * client.sendJson({ type: "request", id: 1, method: "add", data: [1, 2] });
 * assert.deepEqual(JSON.parse((await replies.next()).value.data), { type: "response", id: 1, data: 3 });
 * client.close();
 * await done;
 * ```
 */
export class Router<S extends ClientSchema = ClientSchema> implements AsyncDisposable {
  readonly #state: _RouterState;

  /** Creates a router; prefer {@linkcode createRouter}. */
  constructor(options: RouterOptions = {}) {
    this.#state = new _RouterState(options, _onBrokerEvent);
  }

  /** Number of connected sessions. */
  get size(): number {
    return this.#state.sessions.size;
  }

  /** Adds middleware run around every RPC handler, in registration order. */
  use(middleware: RpcMiddleware): this {
    this.#state.rpc.use(middleware);
    return this;
  }

  /**
   * Registers the handler of `method` (replacing an earlier one). With a schema (`createRouter<S>`),
   * `name` is one of `S["methods"]` and the handler's `data` and result are typed from it.
   */
  method<M extends MethodOf<S>>(
    name: M,
    handler: RpcHandler<MethodParams<S, M>, MethodResult<S, M>>,
  ): this {
    if (typeof name !== "string" || name.length === 0 || name.length > 128) {
      throw new TypeError("Cannot register method: name must be 1 to 128 characters");
    }
    // The wire carries whatever the caller sent: the schema types the application's view only.
    this.#state.rpc.set(name, handler as RpcHandler);
    return this;
  }

  /**
   * Speaks `aero.v1` on `conn` until it closes; resolves then, after its subscriptions,
   * presence and pending requests are cleaned up. Never rejects for anything the peer sends.
   *
   * @throws {TypeError} when the connection's subprotocol is not an `aero.v1` one.
   */
  handle(conn: WebSocketConnection): Promise<void> {
    const codec = this.#state.codecs.get(conn.info.protocol);
    if (codec === undefined) {
      return Promise.reject(
        new TypeError(
          `Cannot handle connection: subprotocol "${conn.info.protocol}" is not aero.v1`,
        ),
      );
    }
    return _handleConnection(this.#state, conn, codec);
  }

  /**
   * Mounts a plain (non-`aero`) connection: it becomes a session subscribed to `topics` (more
   * can be added with {@linkcode subscribe} or {@linkcode join}) that receives the bare `data` of
   * each publication — strings as text messages, bytes as binary ones, other values as JSON text
   * — and no other envelope. Publications are still encoded once for every plain subscriber.
   * Resolves when the connection closes and its subscriptions are released.
   *
   * @example A plain WebSocket client receives published data as is
   * ```ts
   * import { Connection } from "@aero/socket";
   * import { createRouter } from "@aero/socket/messaging";
   * import { createTransportPair } from "@aero/socket/testing";
   * import assert from "node:assert/strict";
   *
   * await using router = createRouter();
   * const [a, b] = createTransportPair();
   * const done = router.attach(new Connection(a, { role: "server" }), {
   *   topics: ["news"],
   *   onMessage: (message) => router.publish("news", message.data),
   * });
   * const client = new Connection(b, { role: "client" });
   * const messages = client[Symbol.asyncIterator]();
   * client.send("published by a plain client");
   * assert.equal((await messages.next()).value.data, "published by a plain client");
   * await router.publish("news", { n: 1 });
   * assert.equal((await messages.next()).value.data, '{"n":1}');
   * client.close();
   * await done;
   * ```
   */
  attach(conn: WebSocketConnection, options: AttachOptions = {}): Promise<void> {
    const topics = options.topics ?? [];
    for (const topic of topics) {
      if (!isTopicPattern(topic)) {
        return Promise.reject(new TypeError(`Cannot attach connection: invalid topic "${topic}"`));
      }
    }
    return _attachConnection(this.#state, conn, { topics, onMessage: options.onMessage });
  }

  /**
   * Publishes `data` to `topic` from the server. With `required`, a publication that reaches
   * no subscription goes to the dead-letter hook (it is still stored in history).
   *
   * @throws {TypeError} for an invalid topic name.
   */
  publish<T extends TopicOf<S>>(
    topic: T,
    data: TopicData<S, T>,
    options: { required?: boolean } = {},
  ): Promise<PublishResult> {
    if (!isTopicName(topic)) {
      return Promise.reject(new TypeError(`Cannot publish: invalid topic name "${topic}"`));
    }
    return _publish(this.#state, topic, data, options.required === true);
  }

  /**
   * Subscribes a connected session to a topic or pattern from the server side; its client
   * receives the topic's `message` envelopes (and presence events) without having asked.
   *
   * @throws {RpcError} `unavailable` when the session is not connected; {@linkcode TypeError}
   * for an invalid pattern.
   */
  async subscribe(session: string, topic: string): Promise<void> {
    if (!isTopicPattern(topic)) throw new TypeError(`Cannot subscribe: invalid topic "${topic}"`);
    const target = this.#state.connected(session, "subscribe");
    if (!target.subscriptions.has(topic)) await _subscribe(this.#state, target, topic, undefined);
  }

  /** Removes a session's subscription; `false` when it had none. */
  unsubscribe(session: string, topic: string): boolean {
    const target = this.#state.sessions.get(session);
    if (target === undefined || !target.subscriptions.has(topic)) return false;
    this.#state.fanout.remove(target, topic);
    return true;
  }

  /**
   * Puts a session in a room: a topic the session is subscribed to and present in (with
   * `data` as its presence data). Other members receive `joined`.
   *
   * @throws {RpcError} `unavailable` when the session is not connected.
   */
  async join(session: string, room: string, data?: unknown): Promise<void> {
    if (!isTopicName(room)) throw new TypeError(`Cannot join: invalid topic name "${room}"`);
    await this.subscribe(session, room);
    await _join(this.#state, this.#state.connected(session, "join"), room, data);
  }

  /** Takes a session out of a room: leaves its presence and unsubscribes. */
  async leave(session: string, room: string): Promise<void> {
    const target = this.#state.sessions.get(session);
    if (target === undefined) return;
    this.unsubscribe(session, room);
    await _leave(this.#state, target, room);
  }

  /** The members present in `topic`. */
  presence(topic: string): Promise<PresenceMember[]> {
    return this.#state.broker.presence(topic);
  }

  /**
   * Calls `method` on a connected client and resolves with its response `data`.
   *
   * @throws {RpcError} with the client's error, `timeout`, `limit_exceeded`, or `unavailable`
   * (the session is not connected — also reported to the dead-letter hook — or disconnected).
   */
  request<H extends HandlerOf<S>>(
    session: string,
    method: H,
    data?: HandlerParams<S, H>,
    options: RequestOptions = {},
  ): Promise<HandlerResult<S, H>> {
    return _request(this.#state, session, method, data, options.timeout) as Promise<
      HandlerResult<S, H>
    >;
  }

  /** Closes every connection (1001) and releases the broker subscription. */
  async close(): Promise<void> {
    const state = this.#state;
    if (state.closed) return;
    state.closed = true;
    for (const session of state.sessions.all()) session.conn.close(1001);
    await state.fanout.close();
    if (state.ownsBroker) await state.broker.close();
  }

  /** Same as {@linkcode close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Creates a {@linkcode Router}. Accept the `aero.v1` subprotocols on the server
 * (`protocols: AERO_PROTOCOLS`) and hand it every connection.
 *
 * @example Mounted on a server
 * ```ts
 * import { serve } from "@aero/socket/server";
 * import { AERO_PROTOCOLS, createRouter } from "@aero/socket/messaging";
 * import assert from "node:assert/strict";
 *
 * const router = createRouter();
 * const server = serve({ hostname: "127.0.0.1", port: 0, protocols: AERO_PROTOCOLS }, (conn) => router.handle(conn));
 * const ws = new WebSocket(server.url, "aero.v1.json");
 * const first = new Promise<string>((resolve) => (ws.onmessage = (event) => resolve(event.data)));
 * ws.onopen = () => ws.send(JSON.stringify({ type: "connect", id: 1 }));
 * assert.equal(JSON.parse(await first).type, "welcome");
 * await server.shutdown();
 * await router.close();
 * ```
 */
export function createRouter<S extends ClientSchema = ClientSchema>(
  options: RouterOptions = {},
): Router<S> {
  return new Router<S>(options);
}
