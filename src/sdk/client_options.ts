import { connect } from "../client/connect.ts";
import type { WebSocketConnection } from "../connection/websocket_connection.ts";
import type { Codec } from "../messaging/codec.ts";
import { JSON_CODEC } from "../messaging/json_codec.ts";
import { type BackoffOptions, resolveBackoffOptions } from "./backoff.ts";
import type { CircuitBreakerOptions } from "./circuit_breaker.ts";
import { type Clock, SYSTEM_CLOCK } from "./clock.ts";
import type { OfflineQueueOptions } from "./offline_queue.ts";

/**
 * Opens one WebSocket connection offering `protocols`; rejects when it cannot. The default
 * is {@linkcode connect}: AeroSocket's own pipeline on Deno, the platform `WebSocket` in
 * browsers. Tests pass one that returns an in-memory connection.
 */
export type Dialer = (
  url: string,
  options: { protocols: string[]; signal: AbortSignal },
) => Promise<WebSocketConnection>;

/** Reconnection settings of an {@linkcode AeroClient}. */
export interface ReconnectOptions extends BackoffOptions {
  /**
   * Consecutive failed attempts after which the client gives up and closes (reason
   * `retry_limit`); `Infinity` never gives up.
   *
   * @default {Infinity}
   */
  maxAttempts?: number;
}

/** Keepalive settings: how a silently dead connection is detected. */
export interface ClientKeepaliveOptions {
  /**
   * After this many milliseconds without any envelope from the server, the client sends a
   * probe: a `request` for `method`. Any answer, even `method_not_found`, proves the
   * connection alive.
   *
   * @default {20_000}
   */
  interval?: number;
  /**
   * Milliseconds a probe may go unanswered (with nothing else heard) before the connection is
   * declared dead and replaced (reason `keepalive_timeout`).
   *
   * @default {10_000}
   */
  timeout?: number;
  /**
   * The method a probe calls.
   *
   * @default {"aero.ping"}
   */
  method?: string;
}

/** Options for an {@linkcode AeroClient}. */
export interface AeroClientOptions {
  /**
   * Codecs to offer, in order of preference; their subprotocols go into
   * `Sec-WebSocket-Protocol`.
   *
   * @default {[JSON_CODEC]}
   */
  codecs?: readonly Codec[];
  /**
   * Opens connections.
   *
   * @default {connect}
   */
  dial?: Dialer;
  /**
   * The `data` of every `connect` envelope (credentials, …), or a function called before each
   * attempt (for a fresh token).
   *
   * @default {undefined}
   */
  connectData?: unknown;
  /**
   * Milliseconds one attempt may take, from dialling to `welcome`.
   *
   * @default {10_000}
   */
  connectTimeout?: number;
  /** Backoff and retry limit. */
  reconnect?: ReconnectOptions;
  /** Circuit breaker over connection attempts. The clock option is ignored (the client's is used). */
  breaker?: Omit<CircuitBreakerOptions, "clock">;
  /**
   * Keepalive probes; `false` disables them.
   *
   * @default {{ interval: 20_000, timeout: 10_000, method: "aero.ping" }}
   */
  keepalive?: ClientKeepaliveOptions | false;
  /**
   * Bound and overflow policy of the queue holding publications and requests made while
   * disconnected.
   *
   * @default {{ maxSize: 1_000, policy: "reject" }}
   */
  offlineQueue?: OfflineQueueOptions;
  /**
   * Default `request` timeout in milliseconds.
   *
   * @default {30_000}
   */
  requestTimeout?: number;
  /**
   * Where `online` events come from (a browser's `window`); `null` ignores them.
   *
   * @default {globalThis}
   */
  onlineEvents?: EventTarget | null;
  /**
   * Time source for backoff, timeouts and keepalive.
   *
   * @default {SYSTEM_CLOCK}
   */
  clock?: Clock;
  /**
   * Random numbers in `[0, 1)` for backoff jitter.
   *
   * @default {Math.random}
   */
  random?: () => number;
}

/** @internal Options with every default filled in. */
export interface _ResolvedClientOptions {
  codecs: readonly Codec[];
  dial: Dialer;
  connectData: unknown;
  connectTimeout: number;
  reconnect: Required<ReconnectOptions>;
  breaker: Omit<CircuitBreakerOptions, "clock">;
  keepalive: Required<ClientKeepaliveOptions> | false;
  offlineQueue: OfflineQueueOptions;
  requestTimeout: number;
  onlineEvents: EventTarget | null;
  clock: Clock;
  random: () => number;
}

/** @internal Resolves and validates client options. */
export function _resolveClientOptions(options: AeroClientOptions): _ResolvedClientOptions {
  const codecs = options.codecs ?? [JSON_CODEC];
  if (codecs.length === 0) throw new TypeError("Cannot create client: no codec");
  const keepalive = options.keepalive === false ? false : {
    interval: options.keepalive?.interval ?? 20_000,
    timeout: options.keepalive?.timeout ?? 10_000,
    method: options.keepalive?.method ?? "aero.ping",
  };
  const resolved: _ResolvedClientOptions = {
    codecs,
    dial: options.dial ?? _defaultDial,
    connectData: options.connectData,
    connectTimeout: options.connectTimeout ?? 10_000,
    reconnect: {
      ...resolveBackoffOptions(options.reconnect ?? {}),
      maxAttempts: options.reconnect?.maxAttempts ?? Infinity,
    },
    breaker: options.breaker ?? {},
    keepalive,
    offlineQueue: options.offlineQueue ?? {},
    requestTimeout: options.requestTimeout ?? 30_000,
    onlineEvents: options.onlineEvents === undefined ? _globalEvents() : options.onlineEvents,
    clock: options.clock ?? SYSTEM_CLOCK,
    random: options.random ?? Math.random,
  };
  const positive: [string, number][] = [
    ["connectTimeout", resolved.connectTimeout],
    ["requestTimeout", resolved.requestTimeout],
    ["reconnect.maxAttempts", resolved.reconnect.maxAttempts],
  ];
  if (keepalive) positive.push(["keepalive.interval", keepalive.interval]);
  if (keepalive) positive.push(["keepalive.timeout", keepalive.timeout]);
  for (const [name, value] of positive) {
    if (!(value > 0)) throw new RangeError(`Cannot create client: invalid ${name} ${value}`);
  }
  return resolved;
}

function _defaultDial(
  url: string,
  options: { protocols: string[]; signal: AbortSignal },
): Promise<WebSocketConnection> {
  return connect(url, options);
}

function _globalEvents(): EventTarget | null {
  const target = globalThis as unknown as Partial<EventTarget>;
  return typeof target.addEventListener === "function" ? target as EventTarget : null;
}
