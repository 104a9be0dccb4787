import type { WebSocketConnection } from "../connection/websocket_connection.ts";
import type { Codec } from "../messaging/codec.ts";
import type { ClientEnvelope, EnvelopeId, StreamPosition } from "../messaging/envelope.ts";
import { type ErrorBody, RpcError } from "../messaging/errors.ts";
import { isTopicName, isTopicPattern } from "../messaging/topic.ts";
import { backoffDelay } from "./backoff.ts";
import type { IncomingRequest, PublishOptions, RequestOptions } from "./call_options.ts";
import { CircuitBreaker } from "./circuit_breaker.ts";
import { _resolveClientOptions, type AeroClientOptions } from "./client_options.ts";
import type { _ResolvedClientOptions } from "./client_options.ts";
import {
  CLIENT_STATE,
  type ClientEvents,
  type ClientState,
  STATE_REASON,
  type StateChange,
  type StateReason,
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
import { _Keepalive } from "./_keepalive.ts";
import { _Subscriptions } from "./_subscriptions.ts";

type _Loss = { reason: StateReason; code?: number };
type _Attempt =
  | { ok: true; conn: WebSocketConnection; lost: Promise<_Loss> }
  | { ok: false; error: unknown; forbidden?: boolean };

const _TRANSIENT = new Set(["timeout", "unavailable", "cancelled"]);

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
  readonly #listeners = new Map<keyof ClientEvents, Set<(event: never) => void>>();
  readonly #calls: _Calls;
  readonly #subs: _Subscriptions;
  readonly #keepalive: _Keepalive;
  readonly #joins = new Map<string, unknown>();
  readonly #handlers = new Map<string, (data: never, request: IncomingRequest) => unknown>();
  #state: ClientState = CLIENT_STATE.CONNECTING;
  // The connection being read (attempt or established); only its envelopes are handled.
  #live: WebSocketConnection | undefined;
  // The established connection application traffic goes to.
  #conn: WebSocketConnection | undefined;
  #codec: Codec | undefined;
  #nextId = 1;
  #session: string | undefined;
  #sessionResumed = false;
  #resumeToken: string | undefined;
  #connectId: EnvelopeId | undefined;
  #welcome: ((welcome: Record<string, unknown>) => void) | undefined;
  #lose: ((loss: _Loss) => void) | undefined;
  #lastHeard = 0;
  #wake: (() => void) | undefined;
  #attempt: AbortController | undefined;
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
    const resolved = this.#options = _resolveClientOptions(options);
    const send = (envelope: ClientEnvelope) => this.#send(envelope);
    const nextId = () => this.#nextId++;
    this.#calls = new _Calls(resolved.clock, resolved.offlineQueue, send, nextId);
    this.#subs = new _Subscriptions({
      send,
      nextId,
      recovery: (event) => this.#emit("recovery", event),
      resumed: (event) => this.#emit("resumed", event),
      report: _report,
    });
    this.#keepalive = new _Keepalive(resolved.keepalive, resolved.clock, {
      lastHeard: () => this.#lastHeard,
      probe: (method, timeout) => send({ type: "request", id: nextId(), method, timeout }),
      dead: () => this.#lose?.({ reason: STATE_REASON.KEEPALIVE_TIMEOUT }),
    });
    this.breaker = new CircuitBreaker({ ...resolved.breaker, clock: resolved.clock });
    this.breaker.onChange((state) => this.#emit("breaker", state));
    resolved.onlineEvents?.addEventListener("online", this.#onOnline);
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
    return this.#calls.queued;
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
    return this.#subs.add(topic, entry, this.#state === CLIENT_STATE.OPEN);
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
    const entry = handler as (data: never, request: IncomingRequest) => unknown;
    this.#handlers.set(method, entry);
    return () => {
      if (this.#handlers.get(method) === entry) this.#handlers.delete(method);
    };
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
    if (this.#state !== CLIENT_STATE.OPEN) return;
    try {
      await this.#call(_joinEnvelope(topic, data), {}, false);
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
    const members = await this.#call({ type: "presence", id: 0, topic }, options, false);
    return members as TypedPresenceMember<PresenceData<S>>[];
  }

  /**
   * Tries to connect now: skips the current backoff wait and lets an open circuit breaker probe.
   * Called on the `online` event. When connected, checks the connection with a keepalive probe.
   */
  reconnectNow(): void {
    if (this.#state === CLIENT_STATE.OPEN) return this.#keepalive.probe();
    this.breaker.probeNow();
    this.#wake?.();
  }

  /**
   * Closes the client for good: pending calls fail with `cancelled`, the connection closes with
   * 1000. Resolves once closed.
   */
  async close(): Promise<void> {
    if (!this.#isClosed()) {
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
    const reconnecting = { state: CLIENT_STATE.RECONNECTING };
    while (!this.#isClosed()) {
      if (!this.breaker.tryAcquire()) {
        const delay = this.breaker.retryIn();
        this.#setState({
          ...reconnecting,
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
        const { error } = result;
        if (result.forbidden) {
          this.#finish({ state: CLIENT_STATE.CLOSED, reason: STATE_REASON.FORBIDDEN, error });
        } else if (failures >= reconnect.maxAttempts) {
          const reason = STATE_REASON.RETRY_LIMIT;
          this.#finish({ state: CLIENT_STATE.CLOSED, reason, error, attempt: failures });
        } else {
          const delay = backoffDelay(failures - 1, reconnect, random);
          const reason = STATE_REASON.CONNECT_FAILED;
          this.#setState({ ...reconnecting, reason, error, attempt: failures, delay });
          await this.#sleep(delay);
        }
        continue;
      }
      failures = 0;
      this.breaker.recordSuccess();
      const loss = await this.#serve(result.conn, result.lost);
      if (this.#isClosed()) break;
      const delay = backoffDelay(0, reconnect, random);
      this.#setState({ ...reconnecting, ...loss, attempt: 0, delay });
      await this.#sleep(delay);
    }
    this.#closedResolve();
  }

  async #connectOnce(): Promise<_Attempt> {
    const { clock, codecs, connectTimeout, dial } = this.#options;
    const controller = this.#attempt = new AbortController();
    const { signal } = controller;
    const timer = clock.setTimeout(
      () =>
        controller.abort(new DOMException("Cannot connect: no welcome in time", "TimeoutError")),
      connectTimeout,
    );
    let conn: WebSocketConnection | undefined;
    try {
      const protocols = codecs.map((codec) => codec.protocol);
      conn = await _untilAborted(dial(this.#url, { protocols, signal }), signal);
      const codec = codecs.find((candidate) => candidate.protocol === conn!.info.protocol);
      if (codec === undefined) {
        throw new TypeError("Cannot connect: the server chose no aero.v1 subprotocol");
      }
      this.#codec = codec;
      const lost = this.#read(conn);
      const refused = await this.#handshake(conn, lost, signal);
      if (refused !== undefined) return { ok: false, error: refused, forbidden: true };
      return { ok: true, conn, lost };
    } catch (error) {
      conn?.close(1000);
      this.#live = undefined;
      this.#subs.reset();
      return { ok: false, error };
    } finally {
      clock.clearTimeout(timer);
      this.#attempt = undefined;
      this.#welcome = undefined;
    }
  }

  // Sends `connect` and waits for `welcome`; resolves with the error when the server refuses.
  async #handshake(
    conn: WebSocketConnection,
    lost: Promise<_Loss>,
    signal: AbortSignal,
  ): Promise<RpcError | undefined> {
    let data = this.#options.connectData;
    if (typeof data === "function") data = await data();
    const id = this.#connectId = this.#nextId++;
    const envelope: ClientEnvelope = { type: "connect", id };
    if (this.#resumeToken !== undefined) envelope.resume = this.#resumeToken;
    if (data !== undefined) envelope.data = data;
    const answer = new Promise<Record<string, unknown>>((resolve) => (this.#welcome = resolve));
    const aborted = new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
    const closed = lost.then((loss) => {
      throw new Error(`Cannot connect: closed before welcome (${loss.code ?? "no code"})`);
    });
    this.#write(conn, envelope);
    const welcome = await Promise.race([answer, aborted, closed]);
    if (welcome.type === "error") {
      const error = welcome.error as ErrorBody | undefined;
      return new RpcError(String(error?.code), String(error?.message));
    }
    if (typeof welcome.session !== "string") throw new TypeError("Cannot connect: invalid welcome");
    this.#sessionResumed = welcome.resumed === true;
    this.#session = welcome.session;
    if (typeof welcome.resume === "string") this.#resumeToken = welcome.resume;
    return undefined;
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
            if (typeof envelope === "object" && envelope !== null && conn === this.#live) {
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
    // Order on the wire: subscriptions, presence, then what waited in the offline queue.
    this.#subs.resubscribe(this.#sessionResumed);
    for (const [topic, data] of this.#joins) this.#send(_joinEnvelope(topic, data, this.#nextId++));
    this.#calls.flush();
    this.#setState({ state: CLIENT_STATE.OPEN });
    this.#keepalive.start();
    const loss = await lost;
    this.#keepalive.stop();
    this.#conn = undefined;
    this.#live = undefined;
    this.#lose = undefined;
    this.#subs.reset();
    if (loss.reason !== STATE_REASON.CONNECTION_LOST) conn.close(4000, loss.reason);
    this.#calls.failSent(new RpcError("unavailable", "Cannot complete: the connection was lost"));
    return loss;
  }

  #sleep(ms: number): Promise<void> {
    if (this.#isClosed()) return Promise.resolve();
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
    this.#keepalive.stop();
    const error = new RpcError("cancelled", "Cannot complete: the client is closed");
    this.#calls.failAll(error);
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

  // ---- messages ----

  #write(conn: WebSocketConnection, envelope: ClientEnvelope): boolean {
    return conn.send(this.#codec!.encode(envelope));
  }

  #send(envelope: ClientEnvelope): boolean {
    return this.#conn !== undefined && this.#write(this.#conn, envelope);
  }

  #call(
    envelope: ClientEnvelope,
    options: RequestOptions,
    settleOnSend: boolean,
  ): Promise<unknown> {
    if (this.#isClosed()) {
      return Promise.reject(new RpcError("cancelled", "Cannot send: the client is closed"));
    }
    const timeout = options.timeout ?? this.#options.requestTimeout;
    const open = this.#state === CLIENT_STATE.OPEN;
    return this.#calls.call(envelope, { timeout, signal: options.signal }, settleOnSend, open);
  }

  #dispatch(conn: WebSocketConnection, envelope: Record<string, unknown>): void {
    const id = envelope.id as EnvelopeId | undefined;
    switch (envelope.type) {
      case "message":
        return this.#subs.deliver(envelope);
      case "joined":
      case "left":
        return this.#emit("presence", envelope as never);
      case "request":
        return void this.#answer(conn, envelope);
      case "subscribed":
        return this.#subs.subscribed(envelope);
      // The one `welcome` of a connection answers its `connect`, whether or not it echoes the id.
      case "welcome":
        return this.#welcome?.(envelope);
      case "ack":
        return void this.#calls.answer(
          id!,
          { epoch: envelope.epoch, offset: envelope.offset },
          undefined,
        );
      case "presence":
        return void this.#calls.answer(id!, envelope.members, undefined);
      case "response":
      case "ok":
        return void this.#calls.answer(id!, envelope.data, envelope.error as ErrorBody | undefined);
      case "error":
        return this.#error(id, envelope.error as ErrorBody);
    }
  }

  #error(id: EnvelopeId | undefined, error: ErrorBody): void {
    if (id !== undefined && id === this.#connectId && this.#welcome !== undefined) {
      return this.#welcome({ type: "error", error });
    }
    if (id !== undefined && this.#calls.answer(id, undefined, error)) return;
    if (id !== undefined) this.#subs.refused(id, error);
    this.#emit("error", error);
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

  #emit<E extends keyof ClientEvents>(event: E, payload: ClientEvents[E]): void {
    const set = this.#listeners.get(event);
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        listener(payload as never);
      } catch (error) {
        _report(error);
      }
    }
  }
}

function _joinEnvelope(topic: string, data: unknown, id: EnvelopeId = 0): ClientEnvelope {
  const envelope: ClientEnvelope = { type: "join", id, topic };
  if (data !== undefined) envelope.data = data;
  return envelope;
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
function _report(error: unknown): void {
  if (typeof globalThis.reportError === "function") globalThis.reportError(error);
  else {queueMicrotask(() => {
      throw error;
    });}
}
