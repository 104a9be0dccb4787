import {
  type ConnectionOptions,
  resolveConnectionOptions,
} from "../connection/connection_options.ts";
import type { ExtensionFactory } from "../extensions/extension.ts";
import { isToken } from "../protocol/header_values.ts";
import { type Limits, resolveLimits } from "../protocol/limits.ts";
import type { ConnectOptions } from "./connect_options.ts";

/** @internal `ConnectOptions` with every default filled in and every value checked. */
export interface _ResolvedConnectOptions<Data> {
  url: URL;
  headers: Headers;
  protocols: readonly string[];
  caCerts: string[] | undefined;
  handshakeTimeout: number;
  signal: AbortSignal | undefined;
  limits: Limits;
  extensions: readonly ExtensionFactory[];
  connection: Omit<ConnectionOptions<Data>, "role">;
}

// Request headers the handshake owns (RFC 6455 §4.1); users cannot override them.
const _RESERVED = [
  "upgrade",
  "connection",
  "sec-websocket-key",
  "sec-websocket-version",
  "sec-websocket-protocol",
  "sec-websocket-extensions",
];

/**
 * @internal Normalizes the URL (`http:` → `ws:`, `https:` → `wss:`, fragment dropped per RFC
 * 6455 §3) and validates every option before any network activity.
 */
export function _resolveConnectOptions<Data>(
  url: string | URL,
  options: ConnectOptions<Data>,
): _ResolvedConnectOptions<Data> {
  const target = _normalizeUrl(url);
  const protocols = options.protocols ?? [];
  if (!Array.isArray(protocols)) throw new TypeError("Cannot connect: protocols is not an array");
  for (const [i, protocol] of protocols.entries()) {
    if (typeof protocol !== "string" || !isToken(protocol) || protocols.indexOf(protocol) !== i) {
      throw new TypeError(`Cannot connect: invalid or duplicate subprotocol "${protocol}"`);
    }
  }
  const headers = new Headers(options.headers);
  for (const name of _RESERVED) {
    if (headers.has(name)) {
      throw new TypeError(`Cannot connect: header ${name} is set by the handshake`);
    }
  }
  if (options.origin !== undefined) {
    if (typeof options.origin !== "string") throw new TypeError("Cannot connect: bad origin");
    headers.set("origin", options.origin);
  }
  const handshakeTimeout = options.handshakeTimeout ?? 10_000;
  if (!Number.isSafeInteger(handshakeTimeout) || handshakeTimeout <= 0) {
    throw new RangeError(`Cannot connect: invalid handshakeTimeout ${handshakeTimeout}`);
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new TypeError("Cannot connect: signal is not an AbortSignal");
  }
  const caCerts = options.caCerts === undefined ? undefined : [...options.caCerts];
  if (caCerts?.some((cert) => typeof cert !== "string")) {
    throw new TypeError("Cannot connect: caCerts must be PEM strings");
  }
  const extensions = options.extensions ?? [];
  for (const factory of extensions) {
    if (typeof factory?.offer !== "function" || typeof factory.accepted !== "function") {
      throw new TypeError("Cannot connect: an extension lacks offer() or accepted()");
    }
  }
  const {
    headers: _h,
    protocols: _p,
    origin: _o,
    caCerts: _c,
    handshakeTimeout: _t,
    signal: _s,
    extensions: _e,
    ...connection
  } = options;
  // Connection options are checked now, so a bad value fails before the network is touched.
  resolveConnectionOptions({ ...connection, role: "client" });
  const limits = resolveLimits(options.limits);
  return {
    url: target,
    headers,
    protocols,
    caCerts,
    handshakeTimeout,
    signal: options.signal,
    limits,
    extensions,
    connection,
  };
}

function _normalizeUrl(url: string | URL): URL {
  let target: URL;
  try {
    target = new URL(url);
  } catch (cause) {
    throw new TypeError(`Cannot connect: invalid URL ${String(url)}`, { cause });
  }
  if (target.protocol === "http:") target.protocol = "ws:";
  else if (target.protocol === "https:") target.protocol = "wss:";
  if (target.protocol !== "ws:" && target.protocol !== "wss:") {
    throw new TypeError(`Cannot connect: unsupported scheme ${target.protocol}`);
  }
  target.hash = "";
  return target;
}
