import type { ClientEnvelope, StreamPosition } from "../messaging/envelope.ts";
import { RpcError } from "../messaging/errors.ts";
import { isTopicName, isTopicPattern } from "../messaging/topic.ts";
import type { IncomingRequest, PublishOptions, RequestOptions } from "./call_options.ts";
import { CircuitBreaker } from "./circuit_breaker.ts";
import { _resolveClientOptions, type AeroClientOptions } from "./client_options.ts";
import type { _ResolvedClientOptions } from "./client_options.ts";
import {
  CLIENT_STATE,
  type ClientEvents,
  type ClientState,
  STATE_REASON,
  type TypedPresenceMember,
} from "./client_state.ts";
import type {
  ClientSchema,
  HandlerOf,
  HandlerParams,
  HandlerResult,
  MethodOf,
  MethodParams,
  MethodResult,
  PresenceData,
  TopicData,
  TopicOf,
} from "../messaging/schema.ts";
import type { DeliveryInfo, Subscription } from "./subscription.ts";
import { _Calls } from "./_calls.ts";
import { _dispatch, type _DispatchTargets } from "./_dispatch.ts";
import { _Emitter, _report } from "./_emitter.ts";
import { _joinEnvelope, _Joins } from "./_joins.ts";
import { _Keepalive } from "./_keepalive.ts";
import { _Link } from "./_link.ts";
import { _Lifecycle } from "./_lifecycle.ts";
import { _RequestHandlers } from "./_request_handlers.ts";
import { _Session } from "./_session.ts";
import { _Subscriptions } from "./_subscriptions.ts";

/**
 * A resilient `aero.v1` client: one logical session over a succession of WebSocket
 * connections. It reconnects with exponential backoff and full jitter behind a circuit
 * breaker (on close, on a missed keepalive, when the page comes back online); after a
 * reconnection it subscribes again, resumes each topic from its last offset, reports whether
 * recovery was complete, and never delivers a duplicate or out-of-order message of a topic.
 * Publications and requests made while disconnected wait in a bounded offline queue and go out
 * in order on reconnection.
 *
 * Delivery semantics: a request or acknowledged publication already written when the
 * connection is lost fails with `unavailable` (it may or may not have reached the server: it is
 * not sent twice); one still in the offline queue is sent on reconnection.
 *
 * Type parameter `S` describes the application's topics, methods and presence data once
 * ({@linkcode ClientSchema}).
 *
 * @example Publish and receive over a scripted server
 * ```ts
 * import { AeroClient } from "@aero/socket/sdk";
 * import { Connection } from "@aero/socket";
 * import { createTransportPair } from "@aero/socket/testing";
 * import assert from "node:assert/strict";
 *
 * const client = new AeroClient<{ topics: { "news": { title: string } } }>("ws://test/", {
 *   keepalive: false,
 *   async dial() {
 *     const [a, b] = createTransportPair();
 *     const server = new Connection(a, { role: "server", protocol: "aero.v1.json" });
 *     (async () => {
 *       for await (const message of server) {
 *         const envelope = JSON.parse(message.data as string);
 *         if (envelope.type === "connect") {
 *           server.sendJson({ type: "welcome", session: "s1", resume: "r1", resumed: false });
 *         } else if (envelope.type === "subscribe") {
 *           server.sendJson({ type: "subscribed", id: envelope.id, topic: envelope.topic, epoch: "e", offset: 0 });
 *         } else if (envelope.type === "publish") {
 *           server.sendJson({ type: "ack", id: envelope.id, topic: envelope.topic, epoch: "e", offset: 1 });
 *           server.sendJson({ type: "message", topic: envelope.topic, epoch: "e", offset: 1, data: envelope.data });
 *         }
 *       }
 *     })();
 *     return new Connection(b, { role: "client", protocol: "aero.v1.json" });
 *   },
 * });
 * const received = new Promise((resolve) => client.subscribe("news", (data) => resolve(data.title)));
 * assert.deepEqual(await client.publish("news", { title: "hello" }, { ack: true }), { epoch: "e", offset: 1 });
 * assert.equal(await received, "hello");
 * assert.equal(client.state, "open");
 * await client.close();
 * ```
 */
export class AeroClient<S extends ClientSchema = ClientSchema> implements AsyncDisposable {
  /** The circuit breaker over connection attempts (observable state). */
  readonly breaker: CircuitBreaker;
  readonly #options: _ResolvedClientOptions;
  readonly #events = new _Emitter();
  readonly #requests = new _RequestHandlers();
  readonly #calls: _Calls;
  readonly #subs: _Subscriptions;
  readonly #keepalive: _Keepalive;
  readonly #session: _Session;
  readonly #link: _Link;
  readonly #lifecycle: _Lifecycle;
  readonly #joins = new _Joins();
  #nextId = 1;
  readonly #onOnline = () => this.reconnectNow();

  /**
   * Creates the client and starts connecting to `url` at once.
   *
   * @throws {TypeError | RangeError} for invalid options.
   */
  constructor(url: string | URL, options: AeroClientOptions = {}) {
    const href = String(url);
    const resolved = this.#options = _resolveClientOptions(options);
    const send = (envelope: ClientEnvelope) => this.#link.send(envelope);
    const nextId = () => this.#nextId++;
    this.#calls = new _Calls(resolved.clock, resolved.offlineQueue, send, nextId);
    this.#subs = new _Subscriptions({
      send,
      nextId,
      recovery: (event) => this.#events.emit("recovery", event),
      resumed: (event) => this.#events.emit("resumed", event),
      report: _report,
    });
    this.#keepalive = new _Keepalive(resolved.keepalive, resolved.clock, {
      lastHeard: () => this.#link.lastHeard,
      probe: (method, timeout) => send({ type: "request", id: nextId(), method, timeout }),
      dead: () => this.#link.lose({ reason: STATE_REASON.KEEPALIVE_TIMEOUT }),
    });
    const session = this.#session = new _Session(resolved, nextId);
    const to: _DispatchTargets = {
      subs: this.#subs,
      calls: this.#calls,
      session,
      events: this.#events,
      request: (conn, envelope) =>
        void this.#requests.answer(envelope, (response) => this.#link.reply(conn, response)),
    };
    this.#link = new _Link(href, resolved, {
      dispatch: (conn, envelope) => _dispatch(conn, envelope, to),
      handshake: (conn, lost, signal) =>
        session.handshake(lost, signal, (envelope) => this.#link.write(conn, envelope)),
      failed: () => this.#subs.reset(),
      settled: () => session.settle(),
    });
    this.breaker = new CircuitBreaker({ ...resolved.breaker, clock: resolved.clock });
    this.breaker.onChange((state) => this.#events.emit("breaker", state));
    this.#lifecycle = new _Lifecycle(resolved, {
      breaker: this.breaker,
      link: this.#link,
      session,
      subs: this.#subs,
      calls: this.#calls,
      keepalive: this.#keepalive,
      events: this.#events,
      onOnline: this.#onOnline,
      rejoin: () => this.#joins.rejoin(send, nextId),
    });
    resolved.onlineEvents?.addEventListener("online", this.#onOnline);
    this.#lifecycle.run();
  }

  /** The connection state. */
  get state(): ClientState {
    return this.#lifecycle.state;
  }

  /** The session id the server assigned (kept across reconnections when it resumed it). */
  get session(): string | undefined {
    return this.#session.id;
  }

  /** Publications and requests waiting for a connection. */
  get queued(): number {
    return this.#calls.queued;
  }

  /** Resolves once the client is closed for good. */
  get closed(): Promise<void> {
    return this.#lifecycle.closed;
  }

  /** Listens to a client event; returns a function that stops listening. */
  on<E extends keyof ClientEvents<PresenceData<S>>>(
    event: E,
    listener: (payload: ClientEvents<PresenceData<S>>[E]) => void,
  ): () => void {
    return this.#events.on(event, listener as (event: never) => void);
  }

  /**
   * Calls `handler` with every message of `topic` (a name or a pattern such as `chat.*`), in
   * offset order and without duplicates, across reconnections. Returns a function that removes
   * the handler (and the server-side subscription with the last handler); its `ready` promise
   * tells when the server has confirmed the subscription.
   *
   * @throws {TypeError} when `topic` is not a valid topic name or pattern.
   */
  subscribe<T extends TopicOf<S>>(
    topic: T,
    handler: (data: TopicData<S, T>, info: DeliveryInfo) => void,
  ): Subscription {
    if (!isTopicPattern(topic)) throw new TypeError(`Cannot subscribe: invalid topic ${topic}`);
    const entry = handler as (data: never, info: DeliveryInfo) => void;
    return this.#subs.add(topic, entry, this.#lifecycle.state === CLIENT_STATE.OPEN);
  }

  /**
   * Publishes `data` to the topic name `topic`. Resolves once written (or, with `ack`, with the
   * stored position once the server acknowledged it). While disconnected the publication waits
   * in the offline queue.
   *
   * @throws {TypeError} when `topic` is not a topic name.
   * @throws {RpcError} `limit_exceeded` when the offline queue refuses or evicts it;
   * `timeout`, `unavailable` (connection lost after sending), `cancelled` (client closed), or
   * the server's error.
   */
  publish<T extends TopicOf<S>>(
    topic: T,
    data: TopicData<S, T>,
    options: PublishOptions & { ack: true },
  ): Promise<StreamPosition>;
  /** Publishes without waiting for an acknowledgement; resolves once written. */
  publish<T extends TopicOf<S>>(
    topic: T,
    data: TopicData<S, T>,
    options?: PublishOptions,
  ): Promise<StreamPosition | undefined>;
  publish<T extends TopicOf<S>>(
    topic: T,
    data: TopicData<S, T>,
    options: PublishOptions = {},
  ): Promise<StreamPosition | undefined> {
    if (!isTopicName(topic)) {
      return Promise.reject(new TypeError(`Cannot publish: invalid topic ${topic}`));
    }
    const envelope: ClientEnvelope = { type: "publish", topic };
    if (data !== undefined) envelope.data = data;
    if (options.required) envelope.required = true;
    if (options.ack) envelope.ack = true;
    if (options.trace !== undefined) envelope.trace = options.trace;
    return this.#call(envelope, options, !options.ack) as Promise<StreamPosition | undefined>;
  }

  /**
   * Calls `method` on the server and resolves with its result.
   *
   * @throws {RpcError} the server's error, or `timeout`, `unavailable` (connection lost after
   * sending), `cancelled` (client closed), `limit_exceeded` (offline queue full); the signal's
   * reason when aborted.
   */
  request<M extends MethodOf<S>>(
    method: M,
    data: MethodParams<S, M>,
    options: RequestOptions = {},
  ): Promise<MethodResult<S, M>> {
    const envelope: ClientEnvelope = { type: "request", id: 0, method };
    if (data !== undefined) envelope.data = data;
    if (options.trace !== undefined) envelope.trace = options.trace;
    return this.#call(envelope, options, false) as Promise<MethodResult<S, M>>;
  }

  /**
   * Answers the server's requests for `method` with `handler`'s result; an {@linkcode RpcError}
   * thrown by it is sent as is, any other error as `internal`. Returns a function that removes
   * the handler.
   */
  onRequest<M extends HandlerOf<S>>(
    method: M,
    handler: (
      data: HandlerParams<S, M>,
      request: IncomingRequest,
    ) => HandlerResult<S, M> | Promise<HandlerResult<S, M>>,
  ): () => void {
    return this.#requests.add(
      method,
      handler as (data: never, request: IncomingRequest) => unknown,
    );
  }

  /**
   * Enters presence in `topic` with `data`; the client joins again after every reconnection.
   * Resolves once the server confirmed, or at once while disconnected.
   *
   * @throws {RpcError} the server's refusal (the topic is then not joined again).
   */
  async join<T extends TopicOf<S>>(topic: T, data?: PresenceData<S>): Promise<void> {
    if (!isTopicName(topic)) throw new TypeError(`Cannot join: invalid topic ${topic}`);
    this.#joins.set(topic, data);
    if (this.#lifecycle.state !== CLIENT_STATE.OPEN) return;
    try {
      await this.#call(_joinEnvelope(topic, data), {}, false);
    } catch (error) {
      this.#joins.refused(topic, error);
      throw error;
    }
  }

  /** Leaves presence in `topic`. Resolves once the server confirmed, or at once while disconnected. */
  async leave<T extends TopicOf<S>>(topic: T): Promise<void> {
    this.#joins.delete(topic);
    if (this.#lifecycle.state !== CLIENT_STATE.OPEN) return;
    await this.#call({ type: "leave", id: 0, topic }, {}, false);
  }

  /** Lists the members present in `topic` (waits in the offline queue while disconnected). */
  async presence<T extends TopicOf<S>>(
    topic: T,
    options: RequestOptions = {},
  ): Promise<TypedPresenceMember<PresenceData<S>>[]> {
    const members = await this.#call({ type: "presence", id: 0, topic }, options, false);
    return members as TypedPresenceMember<PresenceData<S>>[];
  }

  /**
   * Tries to connect now: skips the current backoff wait and lets an open circuit breaker probe.
   * Called on the `online` event. When connected, checks the connection with a keepalive probe.
   */
  reconnectNow(): void {
    if (this.#lifecycle.state === CLIENT_STATE.OPEN) return this.#keepalive.probe();
    this.breaker.probeNow();
    this.#lifecycle.wake();
  }

  /**
   * Closes the client for good: pending calls fail with `cancelled`, the connection closes with
   * 1000. Resolves once closed.
   */
  async close(): Promise<void> {
    if (!this.#lifecycle.isClosed()) {
      this.#lifecycle.finish({ state: CLIENT_STATE.CLOSED, reason: STATE_REASON.CLIENT_CLOSED });
    }
    await this.#lifecycle.closed;
  }

  /** Same as {@linkcode close}. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #call(
    envelope: ClientEnvelope,
    options: RequestOptions,
    settleOnSend: boolean,
  ): Promise<unknown> {
    if (this.#lifecycle.isClosed()) {
      return Promise.reject(new RpcError("cancelled", "Cannot send: the client is closed"));
    }
    const timeout = options.timeout ?? this.#options.requestTimeout;
    const open = this.#lifecycle.state === CLIENT_STATE.OPEN;
    return this.#calls.call(envelope, { timeout, signal: options.signal }, settleOnSend, open);
  }
}
