import type { KeepaliveOptions, SlowConsumerOptions } from "../connection/connection_options.ts";
import { DEFAULT_LIMITS, type Limits, resolveLimits } from "../protocol/limits.ts";
import type { ExtensionFactory } from "../extensions/extension.ts";
import type { Security } from "../security/security.ts";
import type { ServerMetricsRecorder } from "../observability/server_metrics_recorder.ts";
import type {
  ProtocolSelector,
  ServeOptions,
  TlsOptions,
  UpgradeOptions,
} from "./server_options.ts";

/** @internal Upgrade options with every default filled in. */
export interface _ResolvedUpgradeOptions<Data> {
  protocols: ProtocolSelector | undefined;
  onUpgrade: UpgradeOptions<Data>["onUpgrade"];
  extensions: readonly ExtensionFactory[];
  limits: Limits;
  keepalive: Required<KeepaliveOptions>;
  closeTimeout: number;
  maxBufferedAmount: number;
  slowConsumer: Required<SlowConsumerOptions>;
  maxReadAhead: number;
  fragmentSize: number | undefined;
  security: Security | undefined;
  metrics: ServerMetricsRecorder | undefined;
}

/** @internal Serve options with every default filled in. */
export interface _ResolvedServeOptions<Data> extends _ResolvedUpgradeOptions<Data> {
  port: number;
  hostname: string;
  tls: TlsOptions | undefined;
  engine: "streams" | "native";
  maxConnections: number;
  maxPendingHandshakes: number;
  handshakeTimeout: number;
  fetch: ((request: Request) => Response | Promise<Response>) | undefined;
  signal: AbortSignal | undefined;
  shutdownTimeout: number;
  onListen: ((addr: Deno.NetAddr) => void) | undefined;
}

/** @internal Resolves and validates the upgrade policy and connection settings. */
export function _resolveUpgradeOptions<Data>(
  options: UpgradeOptions<Data>,
): _ResolvedUpgradeOptions<Data> {
  const protocols = options.protocols;
  if (protocols !== undefined && typeof protocols !== "function" && !Array.isArray(protocols)) {
    throw new TypeError("Cannot use protocols: expected an array or a function");
  }
  if (options.onUpgrade !== undefined && typeof options.onUpgrade !== "function") {
    throw new TypeError("Cannot use onUpgrade: not a function");
  }
  if (options.security !== undefined && typeof options.security?.admit !== "function") {
    throw new TypeError("Cannot use security: expected a Security instance");
  }
  const resolved: _ResolvedUpgradeOptions<Data> = {
    protocols,
    onUpgrade: options.onUpgrade,
    extensions: options.extensions ?? [],
    limits: resolveLimits(options.limits ?? DEFAULT_LIMITS),
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
    security: options.security,
    metrics: options.metrics,
  };
  _checkInteger("keepalive.pingInterval", resolved.keepalive.pingInterval);
  _checkInteger("keepalive.idleTimeout", resolved.keepalive.idleTimeout);
  _checkInteger("closeTimeout", resolved.closeTimeout);
  _checkInteger("maxBufferedAmount", resolved.maxBufferedAmount);
  _checkInteger("maxReadAhead", resolved.maxReadAhead);
  if (resolved.fragmentSize !== undefined) _checkInteger("fragmentSize", resolved.fragmentSize, 1);
  return resolved;
}

/** @internal Resolves and validates every option of {@linkcode serve}, in one place. */
export function _resolveServeOptions<Data>(
  options: ServeOptions<Data>,
): _ResolvedServeOptions<Data> {
  const resolved: _ResolvedServeOptions<Data> = {
    ..._resolveUpgradeOptions(options),
    port: options.port ?? 8080,
    hostname: options.hostname ?? "0.0.0.0",
    tls: options.tls,
    engine: options.engine ?? "streams",
    maxConnections: options.maxConnections ?? Infinity,
    maxPendingHandshakes: options.maxPendingHandshakes ?? 4_096,
    handshakeTimeout: options.handshakeTimeout ?? 10_000,
    fetch: options.fetch,
    signal: options.signal,
    shutdownTimeout: options.shutdownTimeout ?? 5_000,
    onListen: options.onListen,
  };
  if (!Number.isInteger(resolved.port) || resolved.port < 0 || resolved.port > 65535) {
    throw new RangeError(`Cannot serve: invalid port ${resolved.port}`);
  }
  if (resolved.engine !== "streams" && resolved.engine !== "native") {
    throw new TypeError(`Cannot serve: unknown engine ${String(resolved.engine)}`);
  }
  if (
    resolved.tls !== undefined &&
    (typeof resolved.tls.cert !== "string" || typeof resolved.tls.key !== "string")
  ) {
    throw new TypeError("Cannot serve: tls needs PEM strings cert and key");
  }
  _checkBound("maxConnections", resolved.maxConnections, 0);
  _checkBound("maxPendingHandshakes", resolved.maxPendingHandshakes, 1);
  _checkInteger("handshakeTimeout", resolved.handshakeTimeout, 1);
  _checkInteger("shutdownTimeout", resolved.shutdownTimeout);
  if (resolved.fetch !== undefined && typeof resolved.fetch !== "function") {
    throw new TypeError("Cannot serve: fetch is not a function");
  }
  return resolved;
}

// A bound on a count: `Infinity` (none), or a safe integer of at least `min`.
function _checkBound(name: string, value: number, min: number): void {
  if (value !== Infinity && (!Number.isSafeInteger(value) || value < min)) {
    throw new RangeError(`Cannot serve: invalid ${name} ${value}`);
  }
}

function _checkInteger(name: string, value: number, min = 0): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`Cannot use option ${name}: invalid value ${value}`);
  }
}
