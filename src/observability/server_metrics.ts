import type { WebSocketConnection } from "../connection/websocket_connection.ts";
import type { ConnectionMetrics } from "./connection_metrics.ts";
import { type MetricFamily, renderPrometheus, type Sample } from "./prometheus.ts";
import { _LabeledCounter, _LabeledHistogram } from "./_series.ts";

/** Server engine names, as the `engine` label spells them. */
export type EngineName = "streams" | "native";

/** Scopes of a rate limit, as the `scope` label of `aero_rate_limit_rejections_total` spells them. */
export type RateLimitScope = "connection" | "ip" | "global" | "topic";

/** Default buckets of `aero_rpc_duration_seconds`, in seconds. */
export const RPC_DURATION_BUCKETS: readonly number[] = [
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
];

/** Buckets of `aero_publish_fanout`, in connections reached by one publish. */
export const PUBLISH_FANOUT_BUCKETS: readonly number[] = [0, 1, 5, 10, 50, 100, 500, 1000, 5000];

const _ENGINES: readonly EngineName[] = ["streams", "native"];

/**
 * Every metric of a WebSocket fleet, as plain integers: connections increment number fields on
 * the hot path ({@linkcode ConnectionMetrics}); rarer events (closes, handshake refusals,
 * protocol errors, RPC calls, publishes, rate limits, bans) go through `record…` methods. Nothing
 * here calls a metrics SDK: {@linkcode ServerMetrics.collect} and
 * {@linkcode ServerMetrics.render} read the numbers when scraped, and
 * `registerOpenTelemetryMetrics()` exposes them as observable instruments.
 *
 * Pass one instance as the `metrics` option of every `serve()` in the process; the messaging
 * router and the security layer call the `record…` methods. Every metric name starts with
 * `aero_`; `docs/OPERATIONS.md` describes each.
 *
 * @example Count a server's connections and scrape them
 * ```ts
 * import { serve } from "@aero/socket/server";
 * import { ServerMetrics } from "@aero/socket/observability";
 * import assert from "node:assert/strict";
 *
 * const metrics = new ServerMetrics();
 * const server = serve({ hostname: "127.0.0.1", port: 0, metrics }, async (conn) => {
 *   for await (const message of conn) conn.send(message.data);
 * });
 * const ws = new WebSocket(server.url);
 * await new Promise((resolve) => (ws.onopen = resolve));
 * ws.send("ping");
 * await new Promise((resolve) => (ws.onmessage = resolve));
 * ws.close(1000);
 * await new Promise((resolve) => (ws.onclose = resolve));
 * await server.shutdown();
 * const text = metrics.render();
 * assert.match(text, /^aero_connections_opened_total\{engine="streams"\} 1$/m);
 * assert.match(text, /^aero_connections_closed_total\{engine="streams",code="1000"\} 1$/m);
 * assert.match(text, /^aero_messages_total\{direction="in",type="text"\} 1$/m);
 * ```
 */
export class ServerMetrics implements ConnectionMetrics {
  /** Text messages received. */
  messagesInText = 0;
  /** Binary messages received. */
  messagesInBinary = 0;
  /** Payload bytes of text messages received. */
  bytesInText = 0;
  /** Payload bytes of binary messages received. */
  bytesInBinary = 0;
  /** Text messages sent. */
  messagesOutText = 0;
  /** Binary messages sent. */
  messagesOutBinary = 0;
  /** Payload bytes of text messages sent. */
  bytesOutText = 0;
  /** Payload bytes of binary messages sent. */
  bytesOutBinary = 0;
  /** Inbound data-frame bytes before decompression. */
  compressedBytesIn = 0;
  /** Inbound data-frame bytes after decompression. */
  uncompressedBytesIn = 0;
  /** Outbound message bytes after compression. */
  compressedBytesOut = 0;
  /** Outbound message bytes before compression. */
  uncompressedBytesOut = 0;
  /** Keepalive (idle) timeouts. */
  keepaliveTimeouts = 0;
  /** Connections closed by the slow-consumer policy. */
  slowConsumerCloses = 0;
  /** Messages dropped by the slow-consumer policy. */
  slowConsumerDrops = 0;
  /** Event-loop lag of the last sampling interval, in seconds (see `monitorEventLoop`). */
  eventLoopLagSeconds = 0;
  /** Publishes. */
  publishes = 0;
  /** Deliveries of publishes to connections. */
  publishDeliveries = 0;
  /** Bans. */
  bans = 0;

  readonly #live = new Map<EngineName, Set<WebSocketConnection<unknown>>>();
  readonly #opened = new _LabeledCounter(["engine"]);
  readonly #closed = new _LabeledCounter(["engine", "code"]);
  readonly #rejected = new _LabeledCounter(["engine", "status", "reason"]);
  readonly #dropped = new _LabeledCounter(["engine", "reason"]);
  readonly #protocolErrors = new _LabeledCounter(["code"]);
  readonly #rpcCalls = new _LabeledCounter(["method"]);
  readonly #rpcErrors = new _LabeledCounter(["method", "code"]);
  readonly #rpcDuration: _LabeledHistogram;
  readonly #fanout = new _LabeledHistogram([], PUBLISH_FANOUT_BUCKETS);
  readonly #recoveries = new _LabeledCounter(["result"]);
  readonly #rateLimited = new _LabeledCounter(["scope"]);
  readonly #authRejected = new _LabeledCounter(["reason"]);

  /** Creates an empty set of metrics; `rpcBuckets` overrides {@linkcode RPC_DURATION_BUCKETS}. */
  constructor(options: { rpcBuckets?: readonly number[] } = {}) {
    const bounds = options.rpcBuckets ?? RPC_DURATION_BUCKETS;
    if (!bounds.every((b, i) => Number.isFinite(b) && (i === 0 || b > bounds[i - 1]!))) {
      throw new RangeError("Cannot create metrics: rpcBuckets must be finite and ascending");
    }
    this.#rpcDuration = new _LabeledHistogram(["method"], bounds);
  }

  /** Live connections counted by {@linkcode trackConnection}, per engine. */
  openConnections(engine: EngineName): number {
    return this.#live.get(engine)?.size ?? 0;
  }

  /**
   * Counts a connection as opened now and, once it closes, as closed with its close code.
   * `serve()` calls it for every accepted connection when given `metrics`.
   */
  trackConnection(engine: EngineName, conn: WebSocketConnection<unknown>): void {
    let live = this.#live.get(engine);
    if (live === undefined) this.#live.set(engine, live = new Set());
    live.add(conn);
    this.#opened.add([engine]);
    conn.closed.then((info) => {
      live.delete(conn);
      this.#closed.add([engine, String(info.code)]);
    });
  }

  /** Counts a refused opening handshake by HTTP status; the `reason` label derives from it. */
  recordHandshakeRejected(engine: EngineName, status: number): void {
    this.#rejected.add([engine, String(status), handshakeRejectionReason(status)]);
  }

  /**
   * Counts a connection closed before its request head arrived, by reason: `"timeout"`
   * (`handshakeTimeout`) or `"evicted"` (`maxPendingHandshakes`).
   */
  recordHandshakeDropped(engine: "streams", reason: "timeout" | "evicted"): void {
    this.#dropped.add([engine, reason]);
  }

  /** Counts a connection failed for a protocol violation, by `ProtocolError.code`. */
  protocolError(code: string): void {
    this.#protocolErrors.add([code]);
  }

  /**
   * Records one RPC call handled (or made) by the router: its duration in seconds and, when it
   * failed, the `aero.v1` error code.
   */
  recordRpc(method: string, seconds: number, errorCode?: string): void {
    this.#rpcCalls.add([method]);
    this.#rpcDuration.observe([method], seconds);
    if (errorCode !== undefined) this.#rpcErrors.add([method, errorCode]);
  }

  /** Records one publish delivered to `fanout` connections. */
  recordPublish(fanout: number): void {
    this.publishes++;
    this.publishDeliveries += fanout;
    this.#fanout.observe([], fanout);
  }

  /** Records a history recovery on resubscribe: `complete` when no message was missing. */
  recordHistoryRecovery(complete: boolean): void {
    this.#recoveries.add([complete ? "complete" : "incomplete"]);
  }

  /** Records a message or connection refused by a rate limit. */
  recordRateLimited(scope: RateLimitScope): void {
    this.#rateLimited.add([scope]);
  }

  /** Records a refused authentication, with a short machine-readable reason. */
  recordAuthRejected(reason: string): void {
    this.#authRejected.add([reason]);
  }

  /** Records a ban (for example, an automatic ban after repeated abuse). */
  recordBan(): void {
    this.bans++;
  }

  /** Every metric family, read now. */
  collect(): MetricFamily[] {
    let queued = 0;
    for (const live of this.#live.values()) {
      for (const conn of live) queued += conn.bufferedAmount;
    }
    const engines = _ENGINES.map((engine) => [engine]);
    return [
      _gauge(
        "aero_connections_open",
        "Live WebSocket connections.",
        _ENGINES.map((engine) => ({ labels: { engine }, value: this.openConnections(engine) })),
      ),
      _counter(
        "aero_connections_opened_total",
        "WebSocket connections accepted.",
        this.#opened.samples(engines),
      ),
      _counter(
        "aero_connections_closed_total",
        "WebSocket connections closed, by close code (1006: lost or aborted).",
        this.#closed.samples(),
      ),
      _counter(
        "aero_handshake_rejections_total",
        "Opening handshakes refused, by HTTP status and reason.",
        this.#rejected.samples(),
      ),
      _counter(
        "aero_handshakes_dropped_total",
        "Connections closed before their request head arrived: timeout (handshakeTimeout) or " +
          "evicted (maxPendingHandshakes).",
        this.#dropped.samples(),
      ),
      _counter("aero_messages_total", "Data messages, by direction and type.", [
        _s({ direction: "in", type: "text" }, this.messagesInText),
        _s({ direction: "in", type: "binary" }, this.messagesInBinary),
        _s({ direction: "out", type: "text" }, this.messagesOutText),
        _s({ direction: "out", type: "binary" }, this.messagesOutBinary),
      ]),
      _counter("aero_message_bytes_total", "Data message payload bytes, by direction and type.", [
        _s({ direction: "in", type: "text" }, this.bytesInText),
        _s({ direction: "in", type: "binary" }, this.bytesInBinary),
        _s({ direction: "out", type: "text" }, this.bytesOutText),
        _s({ direction: "out", type: "binary" }, this.bytesOutBinary),
      ]),
      _counter(
        "aero_compressed_bytes_total",
        "Data bytes on the wire on connections with an extension (after compression).",
        [
          _s({ direction: "in" }, this.compressedBytesIn),
          _s({ direction: "out" }, this.compressedBytesOut),
        ],
      ),
      _counter(
        "aero_uncompressed_bytes_total",
        "The same data bytes before compression (out) or after decompression (in).",
        [
          _s({ direction: "in" }, this.uncompressedBytesIn),
          _s({ direction: "out" }, this.uncompressedBytesOut),
        ],
      ),
      _gauge("aero_outbound_queue_bytes", "Bytes accepted by send() and not yet written.", [
        _s({}, queued),
      ]),
      _counter("aero_slow_consumer_actions_total", "Slow-consumer policy actions.", [
        _s({ action: "close" }, this.slowConsumerCloses),
        _s({ action: "drop" }, this.slowConsumerDrops),
      ]),
      _counter(
        "aero_keepalive_timeouts_total",
        "Connections closed because the peer stayed silent past the idle timeout.",
        [_s({}, this.keepaliveTimeouts)],
      ),
      _counter(
        "aero_protocol_errors_total",
        "Connections failed for a protocol violation, by error code.",
        this.#protocolErrors.samples(),
      ),
      _counter("aero_rpc_calls_total", "RPC calls, by method.", this.#rpcCalls.samples()),
      _counter(
        "aero_rpc_errors_total",
        "RPC calls that failed, by method and error code.",
        this.#rpcErrors.samples(),
      ),
      {
        name: "aero_rpc_duration_seconds",
        help: "RPC call duration.",
        type: "histogram",
        samples: this.#rpcDuration.samples(),
      },
      _counter("aero_publishes_total", "Messages published to topics.", [_s({}, this.publishes)]),
      _counter(
        "aero_publish_deliveries_total",
        "Deliveries of published messages to connections (sum of fan-out).",
        [_s({}, this.publishDeliveries)],
      ),
      {
        name: "aero_publish_fanout",
        help: "Connections reached by one publish.",
        type: "histogram",
        samples: _orEmpty(this.#fanout.samples(), PUBLISH_FANOUT_BUCKETS),
      },
      _counter(
        "aero_history_recoveries_total",
        "History recoveries on resubscribe, complete or incomplete.",
        this.#recoveries.samples([["complete"], ["incomplete"]]),
      ),
      _counter(
        "aero_rate_limit_rejections_total",
        "Messages or connections refused by a rate limit, by scope.",
        this.#rateLimited.samples([["connection"], ["ip"], ["global"], ["topic"]]),
      ),
      _counter(
        "aero_auth_rejections_total",
        "Authentication failures, by reason.",
        this.#authRejected.samples(),
      ),
      _counter("aero_bans_total", "Bans issued.", [_s({}, this.bans)]),
      _gauge("aero_event_loop_lag_seconds", "Event-loop lag over the last sampling interval.", [
        _s({}, this.eventLoopLagSeconds),
      ]),
    ];
  }

  /** The metrics in the Prometheus text exposition format. */
  render(): string {
    return renderPrometheus(this.collect());
  }
}

/**
 * The `reason` label of a refused handshake, derived from its HTTP status.
 *
 * @example
 * ```ts
 * import { handshakeRejectionReason } from "@aero/socket/observability";
 * import assert from "node:assert/strict";
 *
 * assert.equal(handshakeRejectionReason(503), "unavailable");
 * assert.equal(handshakeRejectionReason(418), "http_418");
 * ```
 */
export function handshakeRejectionReason(status: number): string {
  return _REASONS[status] ?? `http_${status}`;
}

const _REASONS: Record<number, string> = {
  0: "connection_lost",
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  426: "upgrade_required",
  429: "rate_limited",
  431: "head_too_large",
  500: "internal_error",
  503: "unavailable",
};

function _s(labels: Record<string, string>, value: number): Sample {
  return { labels, value };
}

function _counter(name: string, help: string, samples: Sample[]): MetricFamily {
  return { name, help, type: "counter", samples };
}

function _gauge(name: string, help: string, samples: Sample[]): MetricFamily {
  return { name, help, type: "gauge", samples };
}

function _orEmpty(samples: ReturnType<_LabeledHistogram["samples"]>, bounds: readonly number[]) {
  if (samples.length > 0) return samples;
  return [{ labels: {}, bounds, buckets: bounds.map(() => 0), sum: 0, count: 0 }];
}
