import type { Frame } from "../protocol/frame.ts";
import type { Role } from "../protocol/frame_decoder.ts";
import { type Limits, resolveLimits } from "../protocol/limits.ts";
import type { ConnectionMetrics } from "../observability/connection_metrics.ts";

/**
 * A negotiated extension as the connection uses it: inbound data frames pass through `decode`
 * between the frame decoder and the message assembler; outbound messages pass through `encode`
 * before fragmentation.
 */
export interface ConnectionExtension {
  /** Extension name, as negotiated. */
  readonly name: string;
  /** RSV bits the extension claims. */
  readonly rsv: number;
  /** Transforms an inbound frame (for example, inflates it). */
  decode(frame: Frame): Frame;
  /** Transforms an outbound message; returns the payload and the RSV bits of its first frame. */
  encode(opcode: 1 | 2, payload: Uint8Array): { payload: Uint8Array; rsv: number };
  /**
   * Optionally starts encoding an outbound message elsewhere (another thread); `undefined` means
   * `encode` does it now. Until the promise settles the message keeps its place: nothing sent
   * after it reaches the wire first. A rejection fails the connection with 1011.
   */
  encodeLater?(
    opcode: 1 | 2,
    payload: Uint8Array,
  ): Promise<{ payload: Uint8Array; rsv: number }> | undefined;
  /** Releases the extension's resources. */
  close(): void;
}

/** Keepalive settings. */
export interface KeepaliveOptions {
  /**
   * Send a ping after this many milliseconds without hearing from the peer; `0` disables
   * keepalive.
   *
   * @default {30_000}
   */
  pingInterval?: number;
  /**
   * Close the connection (reported as code 1006, reason `"keepalive timeout"`) after this many
   * milliseconds without any frame from the peer.
   *
   * @default {60_000}
   */
  idleTimeout?: number;
}

/** What to do when a peer does not read fast enough (outbound bytes over `maxBufferedAmount`). */
export interface SlowConsumerOptions {
  /**
   * `"close"` discards the unsent data and closes with `closeCode`; `"drop"` refuses the new
   * message (`send` returns `false`) and counts it in `droppedMessages`.
   *
   * @default {"close"}
   */
  policy?: "close" | "drop";
  /**
   * Close code used by the `"close"` policy.
   *
   * @default {1008}
   */
  closeCode?: 1008 | 1013;
}

/** Options for a {@linkcode Connection}. */
export interface ConnectionOptions<Data = unknown> {
  /** Which end this is: decides masking (clients mask, servers require masks). */
  role: Role;
  /** Size limits for inbound frames and messages. Defaults: `DEFAULT_LIMITS`. */
  limits?: Partial<Limits>;
  /** Negotiated subprotocol. @default {""} */
  protocol?: string;
  /** Negotiated extensions, in the order they apply. @default {[]} */
  extensions?: readonly ConnectionExtension[];
  /** The request URL of the opening handshake. */
  url?: string;
  /**
   * The request headers of the opening handshake, or a function that makes them when
   * `info.headers` is first read (a server holds them for each connection's lifetime, and most
   * applications never read them there).
   */
  headers?: Headers | (() => Headers);
  /** The peer's address. */
  remoteAddress?: Deno.NetAddr;
  /** Initial application data for {@linkcode Connection.data}. */
  data?: Data;
  /** Keepalive pings and idle timeout. */
  keepalive?: KeepaliveOptions;
  /**
   * Milliseconds to wait for the peer's close frame (and, on the client, for the server to close
   * the TCP connection) before aborting the transport.
   *
   * @default {5_000}
   */
  closeTimeout?: number;
  /**
   * Most outbound bytes queued before the slow-consumer policy applies.
   *
   * @default {16_777_216}
   */
  maxBufferedAmount?: number;
  /** Slow-consumer policy. */
  slowConsumer?: SlowConsumerOptions;
  /**
   * Reading from the transport pauses while this many bytes of messages wait for the
   * application.
   *
   * @default {1_048_576}
   */
  maxReadAhead?: number;
  /** Split outbound messages into frames of at most this many payload bytes. @default {undefined} (no fragmentation) */
  fragmentSize?: number;
  /**
   * Counters this connection increments (messages, bytes, protocol errors, keepalive timeouts,
   * slow-consumer actions), e.g. a `ServerMetrics` from `@aero/socket/observability`.
   *
   * @default {undefined} (nothing is counted)
   */
  metrics?: ConnectionMetrics;
}

/** How a connection ended. */
export interface CloseInfo {
  /** The close code received from the peer; 1005 when its close frame had none; 1006 when the connection was lost or aborted; the code we sent when we failed the connection. */
  code: number;
  /** The close reason. */
  reason: string;
  /** Whether the close handshake completed. */
  wasClean: boolean;
  /** The error that ended the connection, if any. */
  error?: unknown;
}

/** Details about a connection. */
export interface ConnectionInfo {
  /** The peer's address, when known. */
  remoteAddress: Deno.NetAddr | undefined;
  /** The request URL of the opening handshake, when known. */
  url: string | undefined;
  /** The request headers of the opening handshake (empty when unknown). */
  headers: Headers;
  /** The negotiated subprotocol, or `""`. */
  protocol: string;
  /** Names of the negotiated extensions. */
  extensions: string[];
  /** When the connection opened (ms since the epoch). */
  connectedAt: number;
}

/** @internal Options with every default filled in. */
export interface ResolvedConnectionOptions {
  role: Role;
  keepalive: Required<KeepaliveOptions>;
  closeTimeout: number;
  maxBufferedAmount: number;
  slowConsumer: Required<SlowConsumerOptions>;
  maxReadAhead: number;
  fragmentSize: number | undefined;
}

/** @internal Resolves and validates connection options. */
export function resolveConnectionOptions(
  options: ConnectionOptions<unknown>,
): ResolvedConnectionOptions {
  if (options.role !== "server" && options.role !== "client") {
    throw new TypeError(`Cannot create connection: unknown role ${String(options.role)}`);
  }
  const resolved: ResolvedConnectionOptions = {
    role: options.role,
    keepalive: {
      pingInterval: options.keepalive?.pingInterval ?? 30_000,
      idleTimeout: options.keepalive?.idleTimeout ?? 60_000,
    },
    closeTimeout: options.closeTimeout ?? 5_000,
    maxBufferedAmount: options.maxBufferedAmount ?? 16 * 1024 * 1024,
    slowConsumer: {
      policy: options.slowConsumer?.policy ?? "close",
      closeCode: options.slowConsumer?.closeCode ?? 1008,
    },
    maxReadAhead: options.maxReadAhead ?? 1024 * 1024,
    fragmentSize: options.fragmentSize,
  };
  _checkCount("keepalive.pingInterval", resolved.keepalive.pingInterval);
  _checkCount("keepalive.idleTimeout", resolved.keepalive.idleTimeout);
  _checkCount("closeTimeout", resolved.closeTimeout);
  _checkCount("maxBufferedAmount", resolved.maxBufferedAmount);
  _checkCount("maxReadAhead", resolved.maxReadAhead);
  if (resolved.fragmentSize !== undefined) _checkCount("fragmentSize", resolved.fragmentSize);
  if (resolved.fragmentSize === 0) {
    throw new RangeError("Cannot create connection: fragmentSize must be positive");
  }
  if (resolved.slowConsumer.policy !== "close" && resolved.slowConsumer.policy !== "drop") {
    throw new TypeError(`Cannot create connection: unknown slow-consumer policy`);
  }
  return resolved;
}

function _checkCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`Cannot create connection: invalid ${name} ${value}`);
  }
}

// A server makes every connection with the same options: when a connection's options and limits
// resolve to the same values as the previous connection's, it takes that connection's objects
// instead of keeping copies of its own (about 200 bytes each). They are never modified.
let _options: ResolvedConnectionOptions | undefined;
let _limits: Limits | undefined;

/** @internal {@linkcode resolveConnectionOptions}, shared between connections (see above). */
export function _resolveSharedOptions(
  options: ConnectionOptions<unknown>,
): ResolvedConnectionOptions {
  const resolved = resolveConnectionOptions(options);
  if (_options === undefined || !_sameValues(resolved, _options)) _options = resolved;
  return _options;
}

/** @internal `resolveLimits`, shared between connections (see above). */
export function _resolveSharedLimits(limits: Partial<Limits> | undefined): Limits {
  const resolved = resolveLimits(limits);
  if (_limits === undefined || !_sameValues(resolved, _limits)) _limits = resolved;
  return _limits;
}

// Whether two resolved objects hold the same values, comparing nested plain objects field by
// field.
function _sameValues(a: object, b: object): boolean {
  // `for…in` rather than `Object.keys`: no array per comparison (a connection makes several).
  let count = 0;
  for (const key in a) {
    count++;
    const x = (a as Record<string, unknown>)[key];
    const y = (b as Record<string, unknown>)[key];
    if (Object.is(x, y)) continue;
    if (typeof x !== "object" || typeof y !== "object" || x === null || y === null) return false;
    if (!_sameValues(x, y)) return false;
  }
  for (const _ in b) count--;
  return count === 0;
}
