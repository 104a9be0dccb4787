import type { KeepaliveOptions, SlowConsumerOptions } from "../connection/connection_options.ts";
import type { Limits } from "../protocol/limits.ts";
import type { ExtensionFactory } from "../extensions/extension.ts";
import type { Principal } from "../auth/principal.ts";
import type { Security } from "../security/security.ts";
import type { ServerMetricsRecorder } from "../observability/server_metrics_recorder.ts";

/** What {@linkcode UpgradeOptions.onUpgrade} learns about a valid upgrade request. */
export interface UpgradeInfo {
  /** The peer's address, when known. */
  remoteAddress: Deno.NetAddr | undefined;
  /** Subprotocols the client offered, in its order of preference. */
  offeredProtocols: string[];
  /** The subprotocol selected by {@linkcode UpgradeOptions.protocols}, or `""`. */
  protocol: string;
  /** Names of the extensions that will be used. */
  extensions: string[];
  /** Who {@linkcode UpgradeOptions.security} authenticated, when it did. */
  principal?: Principal | undefined;
}

/**
 * What {@linkcode UpgradeOptions.onUpgrade} may return to accept: initial data for
 * `conn.data` and extra headers for the `101` response (e.g. `Set-Cookie`).
 */
export interface UpgradeAcceptance<Data = unknown> {
  /** Initial value of `conn.data`. */
  data?: Data;
  /** Extra headers for the `101 Switching Protocols` response (streams engine only). */
  headers?: HeadersInit;
}

/**
 * Chooses a subprotocol: either the server's supported list, in its order of preference (the
 * first one the client offered wins), or a function given the offered list and the request that
 * returns one of the offered names or `undefined` for none.
 */
export type ProtocolSelector =
  | readonly string[]
  | ((offered: readonly string[], request: Request) => string | undefined);

/** The handshake policy and connection settings shared by {@linkcode serve} and {@linkcode upgrade}. */
export interface UpgradeOptions<Data = unknown> {
  /**
   * Subprotocol selection. A function must return one of the offered names or `undefined`.
   *
   * @default {undefined} (no subprotocol)
   */
  protocols?: ProtocolSelector;
  /**
   * Called for every valid upgrade request before the upgrade. Return (or resolve to) a
   * `Response` to refuse with any status; return `{ data, headers }` or nothing to accept.
   * A thrown `HandshakeError` is answered with its status; any other error with 500.
   *
   * @default {undefined} (accept every valid request)
   */
  onUpgrade?: (
    request: Request,
    info: UpgradeInfo,
  ) =>
    | Response
    | UpgradeAcceptance<Data>
    | void
    | Promise<Response | UpgradeAcceptance<Data> | void>;
  /**
   * Extensions the server supports, in order of preference (streams engine only; the native
   * engine cannot use extensions and ignores offers).
   *
   * @default {[]}
   */
  extensions?: readonly ExtensionFactory[];
  /** Frame, message and handshake size limits. @default {DEFAULT_LIMITS} */
  limits?: Partial<Limits>;
  /** Keepalive pings and idle timeout. @default {{ pingInterval: 30_000, idleTimeout: 60_000 }} */
  keepalive?: KeepaliveOptions;
  /**
   * Milliseconds to wait for the peer's close frame before aborting.
   *
   * @default {5_000}
   */
  closeTimeout?: number;
  /**
   * Most outbound bytes queued per connection before the slow-consumer policy applies.
   *
   * @default {16_777_216}
   */
  maxBufferedAmount?: number;
  /** Slow-consumer policy. @default {{ policy: "close", closeCode: 1008 }} */
  slowConsumer?: SlowConsumerOptions;
  /**
   * Reading pauses while this many bytes of messages wait for the application (streams engine;
   * the native engine cannot pause and closes with 1008 beyond `limits.maxMessageSize`).
   *
   * @default {1_048_576}
   */
  maxReadAhead?: number;
  /**
   * Split outbound messages into frames of at most this many payload bytes (streams engine; the
   * native engine cannot fragment and ignores it).
   *
   * @default {undefined} (no fragmentation)
   */
  fragmentSize?: number;
  /**
   * Authentication, Origin and CSRF checks, rate limits and bans, applied before the upgrade
   * (refusals are HTTP 401/403/429) and on the connection (1008). Without `onUpgrade` data, the
   * authenticated principal becomes `conn.data`. See `docs/SECURITY.md`.
   *
   * @default {undefined} (no checks)
   */
  security?: Security;
  /**
   * Counters for connections, handshakes and messages: a `ServerMetrics` from
   * `@aero/socket/observability` (one instance may serve several servers).
   *
   * @default {undefined} (nothing is counted)
   */
  metrics?: ServerMetricsRecorder;
}

/** PEM-encoded certificate chain and private key for `wss://`. */
export interface TlsOptions {
  /** Certificate chain, PEM. */
  cert: string;
  /** Private key, PEM. */
  key: string;
}

/** Options for {@linkcode serve}. */
export interface ServeOptions<Data = unknown> extends UpgradeOptions<Data> {
  /** TCP port; `0` picks a free one (see `server.addr`). @default {8080} */
  port?: number;
  /** Address to listen on. @default {"0.0.0.0"} */
  hostname?: string;
  /** Serve `wss://` and `https://` with native TLS. @default {undefined} (plain TCP) */
  tls?: TlsOptions;
  /**
   * `"streams"` runs our own pipeline over `Deno.listen`: full feature set. `"native"` runs
   * `Deno.serve` and `Deno.upgradeWebSocket`; see `docs/ENGINES.md` for what it cannot do.
   *
   * @default {"streams"}
   */
  engine?: "streams" | "native";
  /**
   * Most live WebSocket connections; upgrade requests beyond it are answered 503.
   *
   * @default {Infinity}
   */
  maxConnections?: number;
  /**
   * Most connections waiting for their request head (accepted, no complete head yet; with TLS, the
   * TLS handshake too) at once. At the bound the server stops accepting: new connections wait in
   * the kernel's listen backlog, which costs the process no descriptor, until a waiting one
   * finishes (sends its head, goes away or runs out of `handshakeTimeout`), or until the oldest has
   * waited a second (or `handshakeTimeout`, if shorter): then that one is closed without an answer,
   * as a timed-out one is, to let the next one in. A burst of legitimate clients, whose heads the
   * busy server reads within a fraction of a second, is slowed down instead of refused (none of
   * 10,000 plain-TCP clients connecting at the same instant was closed), while a flood of silent
   * sockets holds at most this many descriptors and cannot lock everyone out for a whole
   * `handshakeTimeout`. The default is the length of Linux's default accept queue
   * (`net.core.somaxconn`) and stays well under common descriptor limits. TLS handshakes may take
   * a busy server longer than a second: raise it to the size of TLS bursts larger than the bound
   * (see `docs/ENGINES.md`). Streams engine only.
   *
   * @default {4_096}
   */
  maxPendingHandshakes?: number;
  /**
   * Milliseconds a peer has to deliver its complete request head (and, with TLS, finish the TLS
   * handshake); slower connections are closed without an answer (no slowloris). Streams engine
   * only; `Deno.serve` applies its own timeouts.
   *
   * @default {10_000}
   */
  handshakeTimeout?: number;
  /**
   * Handles every request that is not a WebSocket upgrade, through `Deno.serve`.
   *
   * @default {undefined} (answer `426 Upgrade Required`)
   */
  fetch?: (request: Request) => Response | Promise<Response>;
  /** Shuts the server down (as `shutdown()`) when aborted. @default {undefined} */
  signal?: AbortSignal;
  /**
   * Milliseconds `shutdown()` waits for close replies when no timeout is given.
   *
   * @default {5_000}
   */
  shutdownTimeout?: number;
  /** Called once listening, with the bound address. @default {undefined} */
  onListen?: (addr: Deno.NetAddr) => void;
}
