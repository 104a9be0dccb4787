import type { WebSocketConnection } from "../connection/websocket_connection.ts";
import type { Codec } from "../messaging/codec.ts";
import type { ClientEnvelope, EnvelopeId, StreamPosition } from "../messaging/envelope.ts";
import { type ErrorBody, RpcError } from "../messaging/errors.ts";
import { isTopicName, isTopicPattern, matchTopic } from "../messaging/topic.ts";
import { backoffDelay } from "./backoff.ts";
import { CircuitBreaker } from "./circuit_breaker.ts";
import {
  CLIENT_STATE,
  type ClientEvents,
  type ClientState,
  type RecoveryEvent,
  STATE_REASON,
  type StateChange,
  type StateReason,
  type TypedPresenceMember,
} from "./client_state.ts";
import { _resolveClientOptions, type AeroClientOptions } from "./client_options.ts";
import type { _ResolvedClientOptions } from "./client_options.ts";
import type { TimerHandle } from "./clock.ts";
import { OfflineQueue } from "./offline_queue.ts";
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
} from "./schema.ts";
import { _TopicCursors } from "./_topic_cursors.ts";

/** Where a delivery came from, passed to subscription handlers with the payload. */
export interface DeliveryInfo {
  /** The topic name the message was published to. */
  topic: string;
  /** Epoch of the topic's history. */
  epoch: string;
  /** Offset of the message in the epoch. */
  offset: number;
}

/** Options for {@linkcode AeroClient.publish}. */
export interface PublishOptions {
  /** Wait for the server's `ack` and resolve with the stored position. @default {false} */
  ack?: boolean;
  /** Fail with `no_subscribers` when nobody is subscribed. @default {false} */
  required?: boolean;
  /** Milliseconds to wait for the `ack` (including time in the offline queue). @default {requestTimeout} */
  timeout?: number;
  /** Cancels the publication while it waits in the offline queue or for its `ack`. */
  signal?: AbortSignal;
}

/** Options for {@linkcode AeroClient.request} and {@linkcode AeroClient.presence}. */
export interface RequestOptions {
  /** Milliseconds before the call fails with `timeout` (including time in the offline queue). @default {requestTimeout} */
  timeout?: number;
  /** Cancels the call: it rejects with the signal's reason and leaves the offline queue. */
  signal?: AbortSignal;
}

/** What a server-to-client request handler gets besides the parameters. */
export interface IncomingRequest {
  /** The method called. */
  method: string;
  /** The server's timeout for the call, when it gave one. */
  timeout?: number;
}

interface _Call {
  id: EnvelopeId;
  envelope: ClientEnvelope;
  deadline: number;
  sent: boolean;
  // Publications without ack settle once written.
  settleOnSend: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  cleanup(): void;
}

/**
 * What {@linkcode AeroClient.subscribe} returns: call it to unsubscribe. `ready` resolves once
 * the server confirmed the subscription (messages published after that are delivered), and
 * rejects with an {@linkcode RpcError} when the server refused it.
 */
export type Subscription = (() => void) & { readonly ready: Promise<void> };

interface _Subscription {
  ready: Promise<void>;
  confirm(): void;
  refuse(error: unknown): void;
  handlers: Set<(data: never, info: DeliveryInfo) => void>;
  // A `subscribed` answer arrived on some connection: a later reconnection is a recovery.
  active: boolean;
}

type _Loss = { reason: StateReason; code?: number };

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
  readonly #url: string;
  readonly #options: _ResolvedClientOptions;
  readonly #queue: OfflineQueue<_Call>;
  readonly #listeners = new Map<keyof ClientEvents, Set<(event: never) => void>>();
  readonly #subs = new Map<string, _Subscription>();
  readonly #cursors = new _TopicCursors();
  readonly #joins = new Map<string, unknown>();
  readonly #calls = new Map<EnvelopeId, _Call>();
  readonly #handlers = new Map<string, (data: never, request: IncomingRequest) => unknown>();
  readonly #pendingSubs = new Map<
    EnvelopeId,
    { topic: string; recovering: boolean; since: boolean }
  >();
  #state: ClientState = CLIENT_STATE.CONNECTING;
  // The connection being read (attempt or established); only its envelopes are handled.
  #live: WebSocketConnection | undefined;
  // The established connection application traffic goes to.
  #conn: WebSocketConnection | undefined;
  #sessionResumed = false;
  #connectId: EnvelopeId | undefined;
  #codec: Codec | undefined;
  #nextId = 1;
  #session: string | undefined;
  #resumeToken: string | undefined;
  #lose: ((loss: _Loss) => void) | undefined;
  #lastHeard = 0;
  #keepaliveTimer: TimerHandle | undefined;
  #wake: (() => void) | undefined;
  #attempt: AbortController | undefined;
  #resuming: { waiting: Set<string>; topics: RecoveryEvent[]; session: boolean } | undefined;
  #closedResolve!: () => void;
  readonly #closed = new Promise<void>((resolve) => (this.#closedResolve = resolve));
  readonly #onOnline = () => this.reconnectNow();

  /**
   * Creates the client and starts connecting to `url` at once.
   *
   * @throws {TypeError | RangeError} for invalid options.
   */
  constructor(url: string | URL, options: AeroClientOptions = {}) {
    this.#url = String(url);
    this.#options = _resolveClientOptions(options);
    this.#queue = new OfflineQueue(this.#options.offlineQueue);
    this.breaker = new CircuitBreaker({ ...this.#options.breaker, clock: this.#options.clock });
    this.breaker.onChange((state) => this.#emit("breaker", state));
    this.#options.onlineEvents?.addEventListener("online", this.#onOnline);
    this.#run();
  }

  /** The connection state. */
  get state(): ClientState {
    return this.#state;
  }

  /** The session id the server assigned (kept across reconnections when it resumed it). */
  get session(): string | undefined {
    return this.#session;
  }

  /** Publications and requests waiting for a connection. */
  get queued(): number {
    return this.#queue.size;
  }

  /** Resolves once the client is closed for good. */
  get closed(): Promise<void> {
    return this.#closed;
  }

  /** Listens to a client event; returns a function that stops listening. */
  on<E extends keyof ClientEvents<PresenceData<S>>>(
    event: E,
    listener: (payload: ClientEvents<PresenceData<S>>[E]) => void,
  ): () => void {
    let set = this.#listeners.get(event);
    if (set === undefined) this.#listeners.set(event, set = new Set());
    set.add(listener as (event: never) => void);
    return () => set.delete(listener as (event: never) => void);
  }

  /**
   * Calls `handler` with every message of `topic` (a name or a pattern such as `chat.*`), in
   * offset order and without duplicates, across reconnections. Returns a function that removes
   * the handler (and the server-side subscription with the last handler).
   *
   * @throws {TypeError} when `topic` is not a valid topic name or pattern.
   */
  subscribe<T extends TopicOf<S>>(
    topic: T,
    handler: (data: TopicData<S, T>, info: DeliveryInfo) => void,
  ): Subscription {
    if (!isTopicPattern(topic)) throw new TypeError(`Cannot subscribe: invalid topic ${topic}`);
    let sub = this.#subs.get(topic);
    if (sub === undefined) {
      this.#subs.set(topic, sub = _subscription());
      if (this.#state === CLIENT_STATE.OPEN) this.#sendSubscribe(topic, false);
    }
    const entry = handler as (data: never, info: DeliveryInfo) => void;
    sub.handlers.add(entry);
    const unsubscribe = () => {
      if (!sub.handlers.delete(entry) || sub.handlers.size > 0) return;
      if (this.#subs.get(topic) !== sub) return;
      this.#subs.delete(topic);
      this.#cursors.retain((name) => this.#covered(name));
      if (this.#state === CLIENT_STATE.OPEN) {
        this.#send({ type: "unsubscribe", id: this.#id(), topic });
      }
    };
    return Object.assign(unsubscribe, { ready: sub.ready });
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
    const entry = handler as (data: never, request: IncomingRequest) => unknown;
    this.#handlers.set(method, entry);
    return () => {
      if (this.#handlers.get(method) === entry) this.#handlers.delete(method);
    };
  }

  /**
   * Enters presence in `topic` with `data`; the client joins again after every reconnection.
   * Resolves once the server confirmed, or at once while disconnected.
   */
  async join<T extends TopicOf<S>>(topic: T, data?: PresenceData<S>): Promise<void> {
    if (!isTopicName(topic)) throw new TypeError(`Cannot join: invalid topic ${topic}`);
    this.#joins.set(topic, data);
    if (this.#state !== CLIENT_STATE.OPEN) return;
    try {
      await this.#call(this.#joinEnvelope(topic, data), {}, false);
    } catch (error) {
      // Refused (forbidden, bad topic): do not join again on every reconnection.
      if (error instanceof RpcError && !_TRANSIENT.has(error.code)) this.#joins.delete(topic);
      throw error;
    }
  }

  /** Leaves presence in `topic`. Resolves once the server confirmed, or at once while disconnected. */
  async leave<T extends TopicOf<S>>(topic: T): Promise<void> {
    this.#joins.delete(topic);
    if (this.#state !== CLIENT_STATE.OPEN) return;
    await this.#call({ type: "leave", id: 0, topic }, {}, false);
  }

  /** Lists the members present in `topic` (waits in the offline queue while disconnected). */
  async presence<T extends TopicOf<S>>(
    topic: T,
    options: RequestOptions = {},
  ): Promise<TypedPresenceMember<PresenceData<S>>[]> {
    return await this.#call(
      { type: "presence", id: 0, topic },
      options,
      false,
    ) as TypedPresenceMember<
      PresenceData<S>
    >[];
  }

  /**
   * Tries to connect now: skips the current backoff wait and lets an open circuit breaker probe.
   * Called on the `online` event. When connected, checks the connection with a keepalive probe.
   */
  reconnectNow(): void {
    if (this.#state === CLIENT_STATE.OPEN) {
      this.#probe();
      return;
    }
    this.breaker.probeNow();
    this.#wake?.();
  }

  /**
   * Closes the client for good: pending calls fail with `cancelled`, the connection closes with
   * 1000. Resolves once closed.
   */
  async close(): Promise<void> {
    if (this.#state !== CLIENT_STATE.CLOSED) {
      this.#finish({ state: CLIENT_STATE.CLOSED, reason: STATE_REASON.CLIENT_CLOSED });
    }
    await this.#closed;
  }

  /** Same as {@linkcode close}. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ---- connection lifecycle ----

  async #run(): Promise<void> {
    this.#emit("state", { state: CLIENT_STATE.CONNECTING });
    let failures = 0;
    const { reconnect, random } = this.#options;
    while (!this.#isClosed()) {
      if (!this.breaker.tryAcquire()) {
        const delay = this.breaker.retryIn();
        this.#setState({
          state: CLIENT_STATE.RECONNECTING,
          reason: STATE_REASON.CIRCUIT_OPEN,
          attempt: failures,
          delay,
        });
        await this.#sleep(delay);
        continue;
      }
      const result = await this.#connectOnce();
      if (this.#isClosed()) {
        if (result.ok) result.conn.close(1000);
        break;
      }
      if (!result.ok) {
        failures++;
        this.breaker.recordFailure();
        if (result.forbidden) {
          this.#finish({
            state: CLIENT_STATE.CLOSED,
            reason: STATE_REASON.FORBIDDEN,
            error: result.error,
          });
          break;
        }
        if (failures >= reconnect.maxAttempts) {
          this.#finish({
            state: CLIENT_STATE.CLOSED,
            reason: STATE_REASON.RETRY_LIMIT,
            error: result.error,
            attempt: failures,
          });
          break;
        }
        const delay = backoffDelay(failures - 1, reconnect, random);
        this.#setState({
          state: CLIENT_STATE.RECONNECTING,
          reason: STATE_REASON.CONNECT_FAILED,
          error: result.error,
          attempt: failures,
          delay,
        });
        await this.#sleep(delay);
        continue;
      }
      failures = 0;
      this.breaker.recordSuccess();
      const loss = await this.#serve(result.conn, result.lost);
      if (this.#isClosed()) break;
      const delay = backoffDelay(0, reconnect, random);
      this.#setState({ state: CLIENT_STATE.RECONNECTING, ...loss, attempt: 0, delay });
      await this.#sleep(delay);
    }
    this.#closedResolve();
  }

  async #connectOnce(): Promise<
    | { ok: true; conn: WebSocketConnection; lost: Promise<_Loss> }
    | { ok: false; error: unknown; forbidden?: boolean }
  > {
    const { clock, codecs, connectTimeout, dial } = this.#options;
    const controller = this.#attempt = new AbortController();
    const timer = clock.setTimeout(
      () =>
        controller.abort(new DOMException("Cannot connect: no welcome in time", "TimeoutError")),
      connectTimeout,
    );
    let conn: WebSocketConnection | undefined;
    try {
      const protocols = codecs.map((codec) => codec.protocol);
      conn = await _untilAborted(
        dial(this.#url, { protocols, signal: controller.signal }),
        controller.signal,
      );
      const codec = codecs.find((candidate) => candidate.protocol === conn!.info.protocol);
      if (codec === undefined) {
        throw new TypeError("Cannot connect: the server chose no aero.v1 subprotocol");
      }
      this.#codec = codec;
      const lost = this.#read(conn);
      const welcome = await this.#handshake(conn, lost, controller.signal);
      if ("error" in welcome) return { ok: false, error: welcome.error, forbidden: true };
      return { ok: true, conn, lost };
    } catch (error) {
      conn?.close(1000);
      this.#live = undefined;
      this.#pendingSubs.clear();
      return { ok: false, error };
    } finally {
      clock.clearTimeout(timer);
      this.#attempt = undefined;
    }
  }

  async #handshake(
    conn: WebSocketConnection,
    lost: Promise<_Loss>,
    signal: AbortSignal,
  ): Promise<{ session: string } | { error: RpcError }> {
    let data = this.#options.connectData;
    if (typeof data === "function") data = await data();
    const id = this.#connectId = this.#id();
    const envelope: ClientEnvelope = { type: "connect", id };
    if (this.#resumeToken !== undefined) envelope.resume = this.#resumeToken;
    if (data !== undefined) envelope.data = data;
    const answer = new Promise<Record<string, unknown>>((resolve) => {
      this.#calls.set(id, {
        id,
        envelope,
        deadline: Infinity,
        sent: true,
        settleOnSend: false,
        resolve: (value) => resolve(value as Record<string, unknown>),
        reject: (error) => resolve({ error }),
        cleanup: () => {},
      });
    });
    const aborted = new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
    const closed = lost.then((loss) => {
      throw new Error(
        `Cannot connect: connection closed before welcome (${loss.code ?? "no code"})`,
      );
    });
    this.#write(conn, envelope);
    try {
      const welcome = await Promise.race([answer, aborted, closed]);
      if (welcome.error instanceof RpcError) return { error: welcome.error };
      if (typeof welcome.session !== "string") {
        throw new TypeError("Cannot connect: invalid welcome");
      }
      this.#sessionResumed = welcome.resumed === true;
      this.#session = welcome.session;
      if (typeof welcome.resume === "string") this.#resumeToken = welcome.resume;
      return { session: welcome.session };
    } finally {
      this.#calls.delete(id);
    }
  }

  // Reads one connection until it ends; resolves with why it ended.
  #read(conn: WebSocketConnection): Promise<_Loss> {
    return new Promise<_Loss>((resolve) => {
      let done = false;
      const finish = (loss: _Loss) => {
        if (done) return;
        done = true;
        resolve(loss);
      };
      this.#lose = finish;
      this.#live = conn;
      this.#lastHeard = this.#options.clock.now();
      (async () => {
        try {
          for await (const message of conn) {
            if (done) break;
            this.#lastHeard = this.#options.clock.now();
            let envelope: unknown;
            try {
              envelope = this.#codec!.decode(message.data);
            } catch {
              conn.close(1007, "bad_encoding");
              break;
            }
            if (typeof envelope === "object" && envelope !== null) {
              this.#dispatch(conn, envelope as Record<string, unknown>);
            }
          }
        } catch {
          // The connection failed; `closed` says how.
        }
        const info = await conn.closed;
        finish({ reason: STATE_REASON.CONNECTION_LOST, code: info.code });
      })();
    });
  }

  // Runs an established connection until it is lost.
  async #serve(conn: WebSocketConnection, lost: Promise<_Loss>): Promise<_Loss> {
    this.#conn = conn;
    const resuming = [...this.#subs.values()].some((sub) => sub.active);
    this.#resuming = resuming
      ? { waiting: new Set(), topics: [], session: this.#sessionResumed }
      : undefined;
    // Patterns cannot resume; topics they alone covered start afresh.
    this.#cursors.retain((name) => this.#subs.has(name));
    for (const topic of this.#subs.keys()) this.#sendSubscribe(topic, true);
    for (const [topic, data] of this.#joins) this.#send(this.#joinEnvelope(topic, data));
    for (const call of this.#queue.drain()) this.#transmit(call);
    this.#setState({ state: CLIENT_STATE.OPEN });
    this.#maybeResumed();
    this.#startKeepalive();
    const loss = await lost;
    this.#stopKeepalive();
    this.#conn = undefined;
    this.#live = undefined;
    this.#lose = undefined;
    this.#resuming = undefined;
    this.#pendingSubs.clear();
    if (loss.reason !== STATE_REASON.CONNECTION_LOST) conn.close(4000, loss.reason);
    for (const call of [...this.#calls.values()]) {
      if (call.sent) {
        this.#settle(call, new RpcError("unavailable", "Cannot complete: the connection was lost"));
      }
    }
    return loss;
  }

  #sleep(ms: number): Promise<void> {
    if (this.#state === CLIENT_STATE.CLOSED) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const { clock } = this.#options;
      const timer = clock.setTimeout(() => done(), ms);
      const done = () => {
        clock.clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      this.#wake = done;
    });
  }

  #finish(change: StateChange): void {
    this.#setState(change);
    this.#options.onlineEvents?.removeEventListener("online", this.#onOnline);
    this.#stopKeepalive();
    const error = new RpcError("cancelled", "Cannot complete: the client is closed");
    for (const call of this.#queue.drain()) this.#settle(call, error);
    for (const call of [...this.#calls.values()]) this.#settle(call, error);
    this.#attempt?.abort(error);
    this.#conn?.close(1000);
    this.#lose?.({ reason: STATE_REASON.CLIENT_CLOSED });
    this.#wake?.();
  }

  // A method, not a field comparison: the state changes behind the compiler's back (awaits).
  #isClosed(): boolean {
    return this.#state === CLIENT_STATE.CLOSED;
  }

  #setState(change: StateChange): void {
    this.#state = change.state;
    this.#emit("state", change);
  }

  // ---- keepalive ----

  #startKeepalive(): void {
    const { keepalive, clock } = this.#options;
    if (keepalive === false) return;
    const check = () => {
      const idle = clock.now() - this.#lastHeard;
      if (idle < keepalive.interval) {
        this.#keepaliveTimer = clock.setTimeout(check, keepalive.interval - idle);
        return;
      }
      this.#probe();
    };
    this.#keepaliveTimer = clock.setTimeout(check, keepalive.interval);
  }

  #probe(): void {
    const { keepalive, clock } = this.#options;
    if (keepalive === false || this.#conn === undefined) return;
    this.#stopKeepalive();
    const sentAt = clock.now();
    this.#send({
      type: "request",
      id: this.#id(),
      method: keepalive.method,
      timeout: keepalive.timeout,
    });
    this.#keepaliveTimer = clock.setTimeout(() => {
      if (this.#lastHeard >= sentAt) this.#startKeepalive();
      else this.#lose?.({ reason: STATE_REASON.KEEPALIVE_TIMEOUT });
    }, keepalive.timeout);
  }

  #stopKeepalive(): void {
    if (this.#keepaliveTimer !== undefined) this.#options.clock.clearTimeout(this.#keepaliveTimer);
    this.#keepaliveTimer = undefined;
  }

  // ---- outbound ----

  #id(): number {
    return this.#nextId++;
  }

  #write(conn: WebSocketConnection, envelope: ClientEnvelope): boolean {
    return conn.send(this.#codec!.encode(envelope));
  }

  #send(envelope: ClientEnvelope): boolean {
    return this.#conn !== undefined && this.#write(this.#conn, envelope);
  }

  #sendSubscribe(topic: string, resume: boolean): void {
    const id = this.#id();
    const envelope: ClientEnvelope = { type: "subscribe", id, topic };
    const sub = this.#subs.get(topic)!;
    const recovering = resume && sub.active;
    const since = this.#cursors.get(topic);
    if (recovering && since !== undefined) envelope.since = since;
    if (recovering) this.#resuming?.waiting.add(topic);
    this.#pendingSubs.set(id, { topic, recovering, since: envelope.since !== undefined });
    this.#send(envelope);
  }

  #joinEnvelope(topic: string, data: unknown): ClientEnvelope {
    const envelope: ClientEnvelope = { type: "join", id: this.#id(), topic };
    if (data !== undefined) envelope.data = data;
    return envelope;
  }

  #call(
    envelope: ClientEnvelope,
    options: RequestOptions,
    settleOnSend: boolean,
  ): Promise<unknown> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#state === CLIENT_STATE.CLOSED) {
      return Promise.reject(new RpcError("cancelled", "Cannot send: the client is closed"));
    }
    const timeout = options.timeout ?? this.#options.requestTimeout;
    if (!(timeout > 0)) {
      return Promise.reject(new RangeError(`Cannot send: invalid timeout ${timeout}`));
    }
    const { clock } = this.#options;
    return new Promise((resolve, reject) => {
      const id = this.#id();
      if (!settleOnSend) (envelope as { id: EnvelopeId }).id = id;
      const deadline = clock.now() + timeout;
      const timer = clock.setTimeout(() => {
        this.#settle(
          call,
          new RpcError("timeout", `Cannot complete: no answer within ${timeout} ms`),
        );
      }, timeout);
      const onAbort = () => this.#settle(call, signal!.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      const call: _Call = {
        id,
        envelope,
        deadline,
        sent: false,
        settleOnSend,
        resolve,
        reject,
        cleanup: () => {
          clock.clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
          this.#calls.delete(id);
          this.#queue.remove(call);
        },
      };
      if (!settleOnSend) this.#calls.set(id, call);
      if (this.#state === CLIENT_STATE.OPEN) {
        this.#transmit(call);
        return;
      }
      const pushed = this.#queue.push(call);
      const full = () => new RpcError("limit_exceeded", "Cannot queue: the offline queue is full");
      if (!pushed.accepted) this.#settle(call, full());
      else if (pushed.evicted !== undefined) this.#settle(pushed.evicted, full());
    });
  }

  #transmit(call: _Call): void {
    if (call.envelope.type === "request") {
      // Tell the server how long the caller still waits (time in the queue counts).
      const left = Math.ceil(call.deadline - this.#options.clock.now());
      call.envelope.timeout = Math.min(2 ** 31 - 1, Math.max(1, left));
    }
    call.sent = this.#send(call.envelope);
    if (!call.sent) {
      this.#settle(
        call,
        new RpcError("unavailable", "Cannot send: the connection refused the message"),
      );
    } else if (call.settleOnSend) {
      this.#settle(call, undefined, true);
    }
  }

  #settle(call: _Call, value: unknown, ok = false): void {
    call.cleanup();
    if (ok) call.resolve(value);
    else call.reject(value);
  }

  // ---- inbound ----

  #dispatch(conn: WebSocketConnection, envelope: Record<string, unknown>): void {
    if (conn !== this.#live) return;
    // The one `welcome` of a connection answers its `connect`, whether or not it echoes the id.
    const id = (envelope.type === "welcome" ? this.#connectId : envelope.id) as
      | EnvelopeId
      | undefined;
    switch (envelope.type) {
      case "message":
        return this.#deliver(envelope);
      case "joined":
      case "left":
        return this.#emit("presence", envelope as never);
      case "request":
        return void this.#answer(conn, envelope);
      case "subscribed":
        return this.#subscribed(envelope);
      case "welcome":
      case "ok":
      case "ack":
      case "presence":
      case "response":
      case "error":
        break;
      default:
        return;
    }
    if (id === undefined) {
      if (envelope.type === "error") this.#emit("error", envelope.error as ErrorBody);
      return;
    }
    const sub = this.#pendingSubs.get(id);
    if (sub !== undefined && envelope.type === "error") {
      this.#pendingSubs.delete(id);
      const refused = this.#subs.get(sub.topic);
      // Refused for good (bad topic, forbidden): it is not sent again on reconnection.
      if (refused !== undefined && !refused.active) {
        this.#subs.delete(sub.topic);
        const error = envelope.error as ErrorBody;
        refused.refuse(new RpcError(String(error?.code), String(error?.message)));
      }
      this.#resuming?.waiting.delete(sub.topic);
      this.#maybeResumed();
      this.#emit("error", envelope.error as ErrorBody);
      return;
    }
    const call = this.#calls.get(id);
    if (call === undefined) return;
    const error = (envelope.error ?? undefined) as ErrorBody | undefined;
    if (error !== undefined && typeof error === "object") {
      this.#settle(
        call,
        new RpcError(String(error.code), String(error.message), { data: error.data }),
      );
      return;
    }
    switch (envelope.type) {
      case "ack":
        return this.#settle(call, { epoch: envelope.epoch, offset: envelope.offset }, true);
      case "presence":
        return this.#settle(call, envelope.members, true);
      case "response":
        return this.#settle(call, envelope.data, true);
      case "welcome":
        return this.#settle(call, envelope, true);
      default:
        return this.#settle(call, undefined, true);
    }
  }

  #subscribed(envelope: Record<string, unknown>): void {
    const pending = this.#pendingSubs.get(envelope.id as EnvelopeId);
    if (pending === undefined) return;
    this.#pendingSubs.delete(envelope.id as EnvelopeId);
    const { topic } = pending;
    const sub = this.#subs.get(topic);
    if (sub === undefined) return;
    sub.active = true;
    sub.confirm();
    let outcome: RecoveryEvent["reason"] | undefined;
    if (typeof envelope.epoch === "string" && typeof envelope.offset === "number") {
      const position = { epoch: envelope.epoch, offset: envelope.offset };
      const recovered = envelope.recovered as boolean | undefined;
      outcome = this.#cursors.subscribed(topic, position, recovered, pending.since);
    }
    if (pending.recovering) {
      // A topic name without a position to resume from lost what came in between, as did a pattern.
      outcome ??= isTopicName(topic) ? "evicted" : "pattern";
      const event: RecoveryEvent = { topic, recovered: outcome === "resumed", reason: outcome };
      this.#emit("recovery", event);
      if (this.#resuming?.waiting.delete(topic)) this.#resuming.topics.push(event);
      this.#maybeResumed();
    }
  }

  #maybeResumed(): void {
    const resuming = this.#resuming;
    if (resuming === undefined || resuming.waiting.size > 0) return;
    this.#resuming = undefined;
    this.#emit("resumed", {
      complete: resuming.topics.every((topic) => topic.recovered),
      topics: resuming.topics,
      sessionResumed: resuming.session,
    });
  }

  #deliver(envelope: Record<string, unknown>): void {
    const { topic, epoch, offset, data } = envelope;
    if (typeof topic !== "string" || typeof epoch !== "string" || typeof offset !== "number") {
      return;
    }
    if (!this.#covered(topic)) return;
    const verdict = this.#cursors.accept(topic, epoch, offset);
    if (!verdict.deliver) return;
    if (verdict.loss !== undefined) {
      this.#emit("recovery", { topic, recovered: false, reason: verdict.loss });
    }
    const info: DeliveryInfo = { topic, epoch, offset };
    for (const [pattern, sub] of this.#subs) {
      if (!matchTopic(pattern, topic)) continue;
      for (const handler of [...sub.handlers]) _guard(() => handler(data as never, info));
    }
  }

  async #answer(conn: WebSocketConnection, envelope: Record<string, unknown>): Promise<void> {
    const id = envelope.id as EnvelopeId;
    const method = String(envelope.method);
    const handler = this.#handlers.get(method);
    const reply: ClientEnvelope = { type: "response", id };
    if (handler === undefined) {
      reply.error = { code: "method_not_found", message: `Cannot call ${method}: no such method` };
    } else {
      const request: IncomingRequest = { method };
      if (typeof envelope.timeout === "number") request.timeout = envelope.timeout;
      try {
        const result = await handler(envelope.data as never, request);
        if (result !== undefined) reply.data = result;
      } catch (error) {
        reply.error = error instanceof RpcError
          ? error.toBody()
          : { code: "internal", message: `Cannot call ${method}: the handler failed` };
      }
    }
    if (conn === this.#conn) this.#write(conn, reply);
  }

  #covered(topic: string): boolean {
    for (const pattern of this.#subs.keys()) if (matchTopic(pattern, topic)) return true;
    return false;
  }

  #emit<E extends keyof ClientEvents>(event: E, payload: ClientEvents[E]): void {
    const set = this.#listeners.get(event);
    if (set === undefined) return;
    for (const listener of [...set]) _guard(() => listener(payload as never));
  }
}

const _TRANSIENT = new Set(["timeout", "unavailable", "cancelled"]);

function _subscription(): _Subscription {
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

// A dialer that ignores its signal must not hold the client up: a late connection is closed.
function _untilAborted(
  dialing: Promise<WebSocketConnection>,
  signal: AbortSignal,
): Promise<WebSocketConnection> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    dialing.then((conn) => {
      signal.removeEventListener("abort", onAbort);
      if (signal.aborted) conn.close(1000);
      else resolve(conn);
    }, (error) => {
      signal.removeEventListener("abort", onAbort);
      reject(error);
    });
  });
}

// A throwing application callback must not break the client: report it like an event listener.
function _guard(callback: () => void): void {
  try {
    callback();
  } catch (error) {
    if (typeof globalThis.reportError === "function") globalThis.reportError(error);
    else {queueMicrotask(() => {
        throw error;
      });}
  }
}
