import type { WebSocketConnection } from "../connection/websocket_connection.ts";
import type { Message } from "../protocol/message.ts";
import type { Broker, BrokerEvent, PublishResult } from "./broker.ts";
import { type Codec, codecFor } from "./codec.ts";
import { decodeEnvelope } from "./decode_envelope.ts";
import type { ClientEnvelope, PresenceMember, ServerEnvelope, StreamPosition } from "./envelope.ts";
import { EnvelopeError, ERROR_CODE, RpcError } from "./errors.ts";
import { MemoryBroker } from "./memory_broker.ts";
import { composeRpc, type RpcHandler, type RpcMiddleware } from "./rpc.ts";
import {
  type _ResolvedRouterOptions,
  _resolveRouterOptions,
  type DeadLetter,
  type RouterOptions,
} from "./router_options.ts";
import { hasWildcard, isTopicName, isTopicPattern } from "./topic.ts";
import { _Fanout } from "./_fanout.ts";
import { _prepare, type _Prepared, _write } from "./_prepared.ts";
import { _RouterSessions } from "./_router_sessions.ts";
import { type _Held, _Session } from "./_session.ts";

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
export class Router implements AsyncDisposable {
  readonly #options: _ResolvedRouterOptions;
  readonly #broker: Broker;
  readonly #ownsBroker: boolean;
  readonly #codecs: Map<string, Codec>;
  readonly #fanout: _Fanout;
  readonly #sessions: _RouterSessions;
  readonly #methods = new Map<string, (context: Parameters<RpcHandler>[0]) => Promise<unknown>>();
  readonly #handlers = new Map<string, RpcHandler>();
  readonly #middleware: RpcMiddleware[] = [];
  #closed = false;

  /** Creates a router; prefer {@linkcode createRouter}. */
  constructor(options: RouterOptions = {}) {
    this.#options = _resolveRouterOptions(options);
    this.#ownsBroker = options.broker === undefined;
    this.#broker = options.broker ?? new MemoryBroker();
    this.#codecs = new Map();
    for (const protocol of ["aero.v1.json", "aero.v1.msgpack", "aero.v1.cbor"] as const) {
      this.#codecs.set(protocol, options.codecs?.[protocol] ?? codecFor(protocol)!);
    }
    this.#fanout = new _Fanout(this.#broker.subscribe(this.#onBrokerEvent));
    this.#sessions = new _RouterSessions(this.#options.resumeWindow);
  }

  /** Number of connected sessions. */
  get size(): number {
    return this.#sessions.size;
  }

  /** Adds middleware run around every RPC handler, in registration order. */
  use(middleware: RpcMiddleware): this {
    this.#middleware.push(middleware);
    this.#methods.clear();
    return this;
  }

  /** Registers the handler of `method` (replacing an earlier one). */
  method(name: string, handler: RpcHandler): this {
    if (typeof name !== "string" || name.length === 0 || name.length > 128) {
      throw new TypeError("Cannot register method: name must be 1 to 128 characters");
    }
    this.#handlers.set(name, handler);
    this.#methods.delete(name);
    return this;
  }

  /**
   * Speaks `aero.v1` on `conn` until it closes; resolves then, after its subscriptions,
   * presence and pending requests are cleaned up. Never rejects for anything the peer sends.
   *
   * @throws {TypeError} when the connection's subprotocol is not an `aero.v1` one.
   */
  async handle(conn: WebSocketConnection): Promise<void> {
    const codec = this.#codecs.get(conn.info.protocol);
    if (codec === undefined) {
      throw new TypeError(
        `Cannot handle connection: subprotocol "${conn.info.protocol}" is not aero.v1`,
      );
    }
    const session = new _Session(conn, codec);
    const timer = setTimeout(() => {
      if (!session.connected) this.#fatal(session, 1008, ERROR_CODE.NOT_CONNECTED);
    }, this.#options.connectTimeout);
    try {
      for await (const message of conn) {
        if (session.closed) break;
        await this.#onMessage(session, message);
      }
    } catch (error) {
      this.#options.onError(error);
    } finally {
      clearTimeout(timer);
      await this.#cleanup(session);
    }
  }

  /**
   * Publishes `data` to `topic` from the server. With `required`, a publication that reaches
   * no subscription goes to the dead-letter hook (it is still stored in history).
   *
   * @throws {TypeError} for an invalid topic name.
   */
  async publish(
    topic: string,
    data: unknown,
    options: { required?: boolean } = {},
  ): Promise<PublishResult> {
    if (!isTopicName(topic)) throw new TypeError(`Cannot publish: invalid topic name "${topic}"`);
    const result = await this.#broker.publish(topic, data);
    if (options.required && result.receivers === 0) {
      this.#deadLetter({ reason: "no_subscribers", topic, data });
    }
    return result;
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
    const target = this.#connected(session, "subscribe");
    if (!target.subscriptions.has(topic)) await this.#subscribe(target, topic, undefined);
  }

  /** Removes a session's subscription; `false` when it had none. */
  unsubscribe(session: string, topic: string): boolean {
    const target = this.#sessions.get(session);
    if (target === undefined || !target.subscriptions.has(topic)) return false;
    this.#fanout.remove(target, topic);
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
    await this.#join(this.#connected(session, "join"), room, data);
  }

  /** Takes a session out of a room: leaves its presence and unsubscribes. */
  async leave(session: string, room: string): Promise<void> {
    const target = this.#sessions.get(session);
    if (target === undefined) return;
    this.unsubscribe(session, room);
    target.presence.delete(room);
    await this.#broker.leave(room, session);
  }

  /** The members present in `topic`. */
  presence(topic: string): Promise<PresenceMember[]> {
    return this.#broker.presence(topic);
  }

  /**
   * Calls `method` on a connected client and resolves with its response `data`.
   *
   * @throws {RpcError} with the client's error, `timeout`, `limit_exceeded`, or `unavailable`
   * (the session is not connected — also reported to the dead-letter hook — or disconnected).
   */
  request(
    session: string,
    method: string,
    data?: unknown,
    options: RequestOptions = {},
  ): Promise<unknown> {
    const target = this.#sessions.get(session);
    if (target === undefined) {
      this.#deadLetter({ reason: "rpc_unavailable", session, method, data });
      return Promise.reject(
        new RpcError(ERROR_CODE.UNAVAILABLE, `Cannot call ${method}: session is not connected`),
      );
    }
    if (target.outgoing.size >= this.#options.maxPendingRequests) {
      return Promise.reject(
        new RpcError(ERROR_CODE.LIMIT_EXCEEDED, `Cannot call ${method}: too many pending requests`),
      );
    }
    const timeout = Math.min(options.timeout ?? this.#options.rpcTimeout, 2 ** 31 - 1);
    const id = target.nextRequestId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        target.outgoing.delete(id);
        reject(new RpcError(ERROR_CODE.TIMEOUT, `Cannot call ${method}: timed out`));
      }, timeout);
      target.outgoing.set(id, { method, resolve, reject, timer });
      const envelope: ServerEnvelope = { type: "request", id, method, timeout };
      if (data !== undefined) envelope.data = data;
      const written = target.send(envelope);
      if (written === "sent") return;
      clearTimeout(timer);
      target.outgoing.delete(id);
      if (written === "refused") {
        this.#deadLetter({ reason: "slow_consumer", session, type: "request" });
      }
      reject(new RpcError(ERROR_CODE.UNAVAILABLE, `Cannot call ${method}: connection refused it`));
    });
  }

  /** Closes every connection (1001) and releases the broker subscription. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const session of this.#sessions.all()) session.conn.close(1001);
    await this.#fanout.close();
    if (this.#ownsBroker) await this.#broker.close();
  }

  /** Same as {@linkcode close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // --- inbound envelopes --------------------------------------------------------------------

  async #onMessage(session: _Session, message: Message): Promise<void> {
    let envelope: ClientEnvelope;
    try {
      envelope = decodeEnvelope(message, session.codec, { maxSize: this.#options.maxEnvelopeSize });
    } catch (error) {
      if (!(error instanceof EnvelopeError)) throw error;
      if (error.closeCode !== undefined) return this.#fatal(session, error.closeCode, error.code);
      if (++session.errors > this.#options.maxErrors) {
        return this.#fatal(session, 1008, ERROR_CODE.TOO_MANY_ERRORS);
      }
      return session.sendError(error.id, error.code, error.message);
    }
    try {
      await this.#dispatch(session, envelope);
    } catch (error) {
      this.#options.onError(error);
      const id = "id" in envelope ? envelope.id : undefined;
      session.sendError(id, ERROR_CODE.INTERNAL, `Cannot handle ${envelope.type}: internal error`);
    }
  }

  async #dispatch(session: _Session, envelope: ClientEnvelope): Promise<void> {
    if (!session.connected) {
      if (envelope.type !== "connect") return this.#fatal(session, 1008, ERROR_CODE.NOT_CONNECTED);
      return await this.#onConnect(session, envelope);
    }
    switch (envelope.type) {
      case "connect":
        return session.sendError(
          envelope.id,
          ERROR_CODE.ALREADY_CONNECTED,
          "Cannot connect: already connected",
        );
      case "subscribe":
        return await this.#onSubscribe(session, envelope.id, envelope.topic, envelope.since);
      case "unsubscribe":
        if (!session.subscriptions.has(envelope.topic)) {
          return session.sendError(
            envelope.id,
            ERROR_CODE.NOT_SUBSCRIBED,
            `Cannot unsubscribe from ${envelope.topic}: not subscribed`,
          );
        }
        this.#fanout.remove(session, envelope.topic);
        session.send({ type: "ok", id: envelope.id });
        return;
      case "publish":
        return await this.#onPublish(session, envelope);
      case "request":
        // Requests run concurrently: a slow handler does not hold up the connection.
        this.#onRequest(session, envelope).catch(this.#options.onError);
        return;
      case "response":
        return this.#onResponse(session, envelope);
      case "join":
      case "leave":
      case "presence":
        return await this.#onPresence(session, envelope);
    }
  }

  async #onConnect(
    session: _Session,
    envelope: Extract<ClientEnvelope, { type: "connect" }>,
  ): Promise<void> {
    let id = this.#sessions.resume(envelope.resume);
    const resumed = id !== undefined;
    id ??= crypto.randomUUID();
    let data: unknown;
    if (this.#options.onConnect !== undefined) {
      try {
        data = await this.#options.onConnect({
          conn: session.conn,
          session: id,
          resumed,
          data: envelope.data,
        });
      } catch (error) {
        const message = error instanceof RpcError ? error.message : "Cannot connect: refused";
        session.sendError(envelope.id, ERROR_CODE.FORBIDDEN, message);
        return this.#fatal(session, 1008, ERROR_CODE.FORBIDDEN);
      }
    }
    if (session.closed) return;
    // The resumed id may have been taken by another connection while the hook ran.
    if (this.#sessions.get(id) !== undefined) id = crypto.randomUUID();
    session.id = id;
    session.connected = true;
    const token = this.#sessions.add(session);
    const welcome: ServerEnvelope = { type: "welcome", session: id, resume: token, resumed };
    if (envelope.id !== undefined) welcome.id = envelope.id;
    if (data !== undefined) welcome.data = data;
    session.send(welcome);
  }

  async #onSubscribe(
    session: _Session,
    id: string | number,
    topic: string,
    since: StreamPosition | undefined,
  ): Promise<void> {
    if (!isTopicPattern(topic) || (since !== undefined && hasWildcard(topic))) {
      return session.sendError(
        id,
        ERROR_CODE.BAD_TOPIC,
        `Cannot subscribe to "${topic}": invalid topic`,
      );
    }
    if (session.subscriptions.has(topic)) {
      return session.sendError(
        id,
        ERROR_CODE.ALREADY_SUBSCRIBED,
        `Cannot subscribe to ${topic}: already subscribed`,
      );
    }
    if (session.subscriptions.size >= this.#options.maxSubscriptions) {
      return session.sendError(
        id,
        ERROR_CODE.LIMIT_EXCEEDED,
        `Cannot subscribe to ${topic}: too many subscriptions`,
      );
    }
    if (!await this.#allowed(session, "subscribe", topic)) {
      return session.sendError(
        id,
        ERROR_CODE.FORBIDDEN,
        `Cannot subscribe to ${topic}: not allowed`,
      );
    }
    await this.#subscribe(session, topic, since, id);
  }

  // Deliveries to the session are held from before the broker subscription until the reply and
  // the recovered history are out, so nothing slips between history and live messages.
  async #subscribe(
    session: _Session,
    topic: string,
    since: StreamPosition | undefined,
    id?: string | number,
  ): Promise<void> {
    session.holding++;
    try {
      await this.#fanout.add(session, topic);
      if (hasWildcard(topic)) {
        if (id !== undefined) session.send({ type: "subscribed", id, topic });
        return;
      }
      const history = await this.#broker.history(
        topic,
        since === undefined ? { limit: 0 } : { since },
      );
      if (session.closed) return;
      const { epoch, offset } = history.position;
      if (id !== undefined) {
        const reply: ServerEnvelope = { type: "subscribed", id, topic, epoch, offset };
        if (since !== undefined) reply.recovered = history.recovered;
        session.send(reply);
      }
      if (since === undefined) return;
      for (const m of history.messages) {
        const envelope = { type: "message", topic, epoch: m.epoch, offset: m.offset, data: m.data };
        this.#deliver(session, {
          type: "message",
          topic,
          offset: m.offset,
          prepared: _prepare(session.codec, envelope),
        });
      }
      session.covered.set(topic, Math.max(offset, session.covered.get(topic) ?? 0));
    } finally {
      if (--session.holding === 0) this.#release(session);
    }
  }

  #release(session: _Session): void {
    const held = session.held;
    session.held = [];
    for (const item of held) {
      const covered = session.covered.get(item.topic);
      if (item.offset !== undefined && covered !== undefined && item.offset <= covered) continue;
      this.#deliver(session, item);
    }
    session.covered.clear();
  }

  async #onPublish(
    session: _Session,
    envelope: Extract<ClientEnvelope, { type: "publish" }>,
  ): Promise<void> {
    const { id, topic } = envelope;
    if (!isTopicName(topic)) {
      return session.sendError(
        id,
        ERROR_CODE.BAD_TOPIC,
        `Cannot publish to "${topic}": invalid topic name`,
      );
    }
    if (!await this.#allowed(session, "publish", topic)) {
      return session.sendError(id, ERROR_CODE.FORBIDDEN, `Cannot publish to ${topic}: not allowed`);
    }
    const required = envelope.required === true;
    const data = envelope.data === undefined ? null : envelope.data;
    const { message, receivers } = await this.publish(topic, data, { required });
    if (required && receivers === 0) {
      return session.sendError(
        id,
        ERROR_CODE.NO_SUBSCRIBERS,
        `Cannot publish to ${topic}: no subscribers`,
      );
    }
    if (envelope.ack === true) {
      session.send({ type: "ack", id: id!, topic, epoch: message.epoch, offset: message.offset });
    }
  }

  async #onPresence(
    session: _Session,
    envelope: Extract<ClientEnvelope, { type: "join" | "leave" | "presence" }>,
  ): Promise<void> {
    const { id, topic, type } = envelope;
    if (!isTopicName(topic)) {
      return session.sendError(
        id,
        ERROR_CODE.BAD_TOPIC,
        `Cannot ${type} "${topic}": invalid topic name`,
      );
    }
    if (type === "leave") {
      session.presence.delete(topic);
      await this.#broker.leave(topic, session.id);
      session.send({ type: "ok", id });
      return;
    }
    if (!await this.#allowed(session, type, topic)) {
      return session.sendError(id, ERROR_CODE.FORBIDDEN, `Cannot ${type} ${topic}: not allowed`);
    }
    if (type === "join") {
      await this.#join(session, topic, envelope.data);
      session.send({ type: "ok", id });
      return;
    }
    const members = await this.#broker.presence(topic);
    session.send({ type: "presence", id, topic, members });
  }

  async #join(session: _Session, topic: string, data: unknown): Promise<void> {
    session.presence.add(topic);
    const member: PresenceMember = { session: session.id };
    if (data !== undefined) member.data = data;
    await this.#broker.join(topic, member);
    // The connection may have closed (and been cleaned up) meanwhile: leave no ghost behind.
    if (session.closed) await this.#broker.leave(topic, session.id);
  }

  async #onRequest(
    session: _Session,
    envelope: Extract<ClientEnvelope, { type: "request" }>,
  ): Promise<void> {
    const { id, method } = envelope;
    const respond = (body: { data: unknown } | { error: RpcError }) => {
      const response: ServerEnvelope = { type: "response", id };
      if ("error" in body) response.error = body.error.toBody();
      else if (body.data !== undefined) response.data = body.data;
      if (session.send(response) === "refused") {
        this.#deadLetter({ reason: "slow_consumer", session: session.id, type: "response" });
      }
    };
    const run = this.#method(method);
    if (run === undefined) {
      return respond({
        error: new RpcError(ERROR_CODE.METHOD_NOT_FOUND, `Cannot call ${method}: no such method`),
      });
    }
    if (session.incoming.size >= this.#options.maxPendingRequests) {
      return respond({
        error: new RpcError(
          ERROR_CODE.LIMIT_EXCEEDED,
          `Cannot call ${method}: too many pending requests`,
        ),
      });
    }
    const controller = new AbortController();
    session.incoming.add(controller);
    const timeout = Math.min(
      envelope.timeout ?? this.#options.rpcTimeout,
      this.#options.rpcTimeout,
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new RpcError(
          ERROR_CODE.TIMEOUT,
          `Cannot call ${method}: timed out after ${timeout} ms`,
        );
        controller.abort(error);
        reject(error);
      }, timeout);
    });
    const context = {
      method,
      data: envelope.data,
      session: session.id,
      conn: session.conn,
      signal: controller.signal,
      state: {},
    };
    try {
      respond({ data: await Promise.race([run(context), expired]) });
    } catch (error) {
      if (error instanceof RpcError) return respond({ error });
      this.#options.onError(error);
      respond({
        error: new RpcError(ERROR_CODE.INTERNAL, `Cannot call ${method}: internal error`),
      });
    } finally {
      clearTimeout(timer);
      session.incoming.delete(controller);
    }
  }

  #onResponse(session: _Session, envelope: Extract<ClientEnvelope, { type: "response" }>): void {
    if (typeof envelope.id !== "number") return;
    const pending = session.outgoing.get(envelope.id);
    if (pending === undefined) return; // Unknown or expired: ignored (PROTOCOL.md §3.6).
    session.outgoing.delete(envelope.id);
    clearTimeout(pending.timer);
    const { error } = envelope;
    if (error === undefined) return pending.resolve(envelope.data);
    pending.reject(new RpcError(error.code, error.message, { data: error.data }));
  }

  #method(name: string): ((context: Parameters<RpcHandler>[0]) => Promise<unknown>) | undefined {
    let run = this.#methods.get(name);
    if (run !== undefined) return run;
    const handler = this.#handlers.get(name);
    if (handler === undefined) return undefined;
    this.#methods.set(name, run = composeRpc(this.#middleware, handler));
    return run;
  }

  // --- outbound -----------------------------------------------------------------------------

  #onBrokerEvent = (event: BrokerEvent): void => {
    const topic = event.type === "message" ? event.message.topic : event.topic;
    const targets = this.#fanout.targets(topic);
    if (targets === undefined || targets.size === 0) return;
    let envelope: ServerEnvelope;
    let offset: number | undefined;
    if (event.type === "message") {
      const { epoch, data } = event.message;
      offset = event.message.offset;
      envelope = { type: "message", topic, epoch, offset, data };
    } else {
      envelope = { type: event.type, topic, member: event.member };
    }
    // One encoding per codec in use, shared by every subscriber with that codec.
    const prepared = new Map<Codec, _Prepared>();
    for (const session of targets) {
      let bytes = prepared.get(session.codec);
      if (bytes === undefined) {
        prepared.set(session.codec, bytes = _prepare(session.codec, envelope));
      }
      const item: _Held = { type: envelope.type, topic, offset, prepared: bytes };
      if (session.holding === 0) this.#deliver(session, item);
      else if (session.held.length < this.#options.maxHeldMessages) session.held.push(item);
      else this.#fatal(session, 1013, "too many held messages");
    }
  };

  #deliver(session: _Session, item: _Held): void {
    if (_write(session.conn, item.prepared) !== "refused") return;
    const letter: DeadLetter = {
      reason: "slow_consumer",
      session: session.id,
      type: item.type,
      topic: item.topic,
    };
    if (item.offset !== undefined) letter.offset = item.offset;
    this.#deadLetter(letter);
  }

  // --- helpers ------------------------------------------------------------------------------

  async #allowed(
    session: _Session,
    action: "subscribe" | "publish" | "join" | "presence",
    topic: string,
  ): Promise<boolean> {
    const authorize = this.#options.authorize;
    if (authorize === undefined) return true;
    return await authorize({ action, topic, session: session.id, conn: session.conn }) === true;
  }

  #connected(session: string, action: string): _Session {
    const target = this.#sessions.get(session);
    if (target === undefined) {
      throw new RpcError(
        ERROR_CODE.UNAVAILABLE,
        `Cannot ${action}: session ${session} is not connected`,
      );
    }
    return target;
  }

  #deadLetter(letter: DeadLetter): void {
    try {
      this.#options.onDeadLetter?.(letter);
    } catch (error) {
      this.#options.onError(error);
    }
  }

  #fatal(session: _Session, code: number, reason: string): void {
    session.closed = true;
    try {
      session.conn.close(code, reason);
    } catch (error) {
      this.#options.onError(error);
    }
  }

  async #cleanup(session: _Session): Promise<void> {
    session.closed = true;
    session.held = [];
    for (const controller of session.incoming) {
      controller.abort(
        new RpcError(ERROR_CODE.CANCELLED, "Cannot finish request: connection closed"),
      );
    }
    for (const [id, pending] of session.outgoing) {
      session.outgoing.delete(id);
      clearTimeout(pending.timer);
      pending.reject(
        new RpcError(ERROR_CODE.UNAVAILABLE, `Cannot call ${pending.method}: connection closed`),
      );
    }
    if (!session.connected) return;
    this.#sessions.remove(session);
    for (const topic of [...session.subscriptions]) this.#fanout.remove(session, topic);
    const topics = [...session.presence];
    session.presence.clear();
    for (const topic of topics) {
      try {
        await this.#broker.leave(topic, session.id);
      } catch (error) {
        this.#options.onError(error);
      }
    }
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
export function createRouter(options: RouterOptions = {}): Router {
  return new Router(options);
}
