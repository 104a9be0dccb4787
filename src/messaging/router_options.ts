import type { WebSocketConnection } from "../connection/websocket_connection.ts";
import type { TracerLike } from "../observability/tracer_like.ts";
import type { Security } from "../security/mod.ts";
import type { Broker } from "./broker.ts";
import type { AeroProtocol, Codec } from "./codec.ts";
import { _logError } from "./_logger.ts";

/** An undeliverable message, as given to {@linkcode RouterOptions.onDeadLetter}. */
export type DeadLetter =
  | {
    /** A publication marked `required` matched no subscription. */
    reason: "no_subscribers";
    topic: string;
    data: unknown;
  }
  | {
    /** The server called a method on a session that is not connected. */
    reason: "rpc_unavailable";
    session: string;
    method: string;
    data: unknown;
  }
  | {
    /** The connection's slow-consumer policy refused an envelope (dropped or closed). */
    reason: "slow_consumer";
    session: string;
    /** The envelope type that was refused (`message`, `joined`, `response`, …). */
    type: string;
    topic?: string;
    offset?: number;
  };

/** What the connect hook learns. */
export interface ConnectContext {
  /** The connection. */
  conn: WebSocketConnection;
  /** The session id assigned (or resumed). */
  session: string;
  /** Whether the session id was resumed from a resume token. */
  resumed: boolean;
  /** `data` from the client's `connect` envelope. */
  data: unknown;
}

/** An action a client asks for, as given to {@linkcode RouterOptions.authorize}. */
export interface AuthorizeContext {
  /** What the client wants to do. */
  action: "subscribe" | "publish" | "join" | "presence";
  /** The topic (or pattern, for `subscribe`). */
  topic: string;
  /** The client's session id. */
  session: string;
  /** The connection. */
  conn: WebSocketConnection;
}

/**
 * What a router records when given `metrics`: `ServerMetrics` from
 * `@aero/socket/observability` implements it; so may a test double.
 *
 * @example Counting publications fanned out by a router
 * ```ts
 * import { createRouter, type RouterMetricsRecorder } from "@aero/socket/messaging";
 * import assert from "node:assert/strict";
 *
 * const fanouts: number[] = [];
 * const metrics: RouterMetricsRecorder = {
 *   recordRpc() {},
 *   recordPublish: (fanout) => void fanouts.push(fanout),
 *   recordHistoryRecovery() {},
 * };
 * await using router = createRouter({ metrics });
 * await router.publish("news", 1); // nobody subscribes: the broker does not deliver it here
 * assert.deepEqual(fanouts, []);
 * ```
 */
export interface RouterMetricsRecorder {
  /**
   * One client request handled: its method (`_unknown` for a method without a handler), its
   * duration in seconds and, when it failed, the `aero.v1` error code.
   */
  recordRpc(method: string, seconds: number, errorCode?: string): void;
  /** One publication the broker delivered to this router, written to `fanout` sessions. */
  recordPublish(fanout: number): void;
  /** One `subscribe` with `since`: `complete` is the `recovered` flag of the answer. */
  recordHistoryRecovery(complete: boolean): void;
}

/** Options for {@linkcode createRouter}. */
export interface RouterOptions {
  /** Where publications, history and presence live. @default {new MemoryBroker()} */
  broker?: Broker;
  /**
   * Replaces the codec of a subprotocol (for instrumentation or another implementation).
   *
   * @default {{}} (the built-in JSON, MessagePack and CBOR codecs)
   */
  codecs?: Partial<Record<AeroProtocol, Codec>>;
  /**
   * Called on `connect`; the value returned is sent as `welcome.data`. Throw (an `RpcError`
   * to choose the code and message) to refuse: the client gets `error` and a 1008 close.
   *
   * @default {undefined} (accept every client)
   */
  onConnect?: (context: ConnectContext) => unknown | Promise<unknown>;
  /**
   * Decides whether a client may subscribe, publish, join or list presence; `false` answers
   * `forbidden`.
   *
   * @default {undefined} (allow everything)
   */
  authorize?: (context: AuthorizeContext) => boolean | Promise<boolean>;
  /**
   * The security policy the connections were accepted with (the `security` option of `serve()`
   * or `upgrade()`). With it, every `subscribe`, `publish`, `join`/`presence` and `request` is
   * checked against the permissions of the connection's session (`subscribe:<topic>`,
   * `publish:<topic>`, `presence:<topic>`, `rpc:<method>`); a refusal answers `forbidden` and is
   * audited through `security.denied()`. Client publishes spend the topic's publish rate limit
   * (`limit_exceeded` when exhausted), and the `refresh` envelope extends the session. A
   * connection the policy did not accept has no session and is refused everything. The
   * {@linkcode authorize} hook still runs after the permissions allowed an action.
   *
   * @default {undefined} (no permission checks; `refresh` is answered `forbidden`)
   */
  security?: Security;
  /**
   * Records RPC calls, errors and latency, publication fan-out and history recoveries (pass a
   * `ServerMetrics`).
   *
   * @default {undefined} (nothing recorded)
   */
  metrics?: RouterMetricsRecorder;
  /**
   * Spans for client requests (SERVER spans continuing the trace of the request's `trace`
   * field) and for publishes (PRODUCER spans, children of the `publish` envelope's `trace` or
   * of the active context): `true` for the global OpenTelemetry tracer, or a tracer.
   *
   * @default {false}
   */
  tracing?: boolean | TracerLike;
  /** Receives messages that could not be delivered. @default {undefined} */
  onDeadLetter?: (letter: DeadLetter) => void;
  /**
   * Receives unexpected errors of handlers and hooks.
   *
   * @default {undefined} (logged through LogTape as errors under `["aero", "messaging"]`, which
   * is silent unless the application configures LogTape)
   */
  onError?: (error: unknown) => void;
  /** Largest envelope accepted, in encoded bytes. @default {1_048_576} */
  maxEnvelopeSize?: number;
  /** Milliseconds a client has to send `connect`. @default {10_000} */
  connectTimeout?: number;
  /** Malformed envelopes tolerated per connection before a 1008 close. @default {10} */
  maxErrors?: number;
  /** Subscriptions per connection. @default {1_000} */
  maxSubscriptions?: number;
  /** Outstanding requests per connection, in each direction. @default {100} */
  maxPendingRequests?: number;
  /** Longest RPC timeout, and the timeout when none is given, in ms. @default {30_000} */
  rpcTimeout?: number;
  /** Milliseconds a resume token stays valid after its connection closed. @default {120_000} */
  resumeWindow?: number;
  /**
   * Deliveries held per connection while it sets up subscriptions (recovery); beyond it the
   * connection is closed with 1013.
   *
   * @default {10_000}
   */
  maxHeldMessages?: number;
}

/** @internal Router options with defaults filled in. */
export interface _ResolvedRouterOptions {
  onConnect: RouterOptions["onConnect"];
  authorize: RouterOptions["authorize"];
  onDeadLetter: RouterOptions["onDeadLetter"];
  security: Security | undefined;
  metrics: RouterMetricsRecorder | undefined;
  tracing: boolean | TracerLike;
  onError: (error: unknown) => void;
  maxEnvelopeSize: number;
  connectTimeout: number;
  maxErrors: number;
  maxSubscriptions: number;
  maxPendingRequests: number;
  rpcTimeout: number;
  resumeWindow: number;
  maxHeldMessages: number;
}

/** @internal Fills in and validates router options. */
export function _resolveRouterOptions(options: RouterOptions): _ResolvedRouterOptions {
  const resolved: _ResolvedRouterOptions = {
    onConnect: options.onConnect,
    authorize: options.authorize,
    onDeadLetter: options.onDeadLetter,
    security: options.security,
    metrics: options.metrics,
    tracing: options.tracing ?? false,
    onError: options.onError ?? ((error) => _logError("router", error)),
    maxEnvelopeSize: options.maxEnvelopeSize ?? 1024 * 1024,
    connectTimeout: options.connectTimeout ?? 10_000,
    maxErrors: options.maxErrors ?? 10,
    maxSubscriptions: options.maxSubscriptions ?? 1_000,
    maxPendingRequests: options.maxPendingRequests ?? 100,
    rpcTimeout: options.rpcTimeout ?? 30_000,
    resumeWindow: options.resumeWindow ?? 120_000,
    maxHeldMessages: options.maxHeldMessages ?? 10_000,
  };
  for (const [name, value] of Object.entries(resolved)) {
    if (typeof value !== "number") continue;
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`Cannot create router: invalid ${name} ${value}`);
    }
  }
  return resolved;
}
