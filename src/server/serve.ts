import type { WebSocketConnection } from "../connection/websocket_connection.ts";
import { _NativeEngine } from "./_native_engine.ts";
import { _Registry } from "./_registry.ts";
import { _StreamsEngine } from "./_streams_engine.ts";
import { _resolveServeOptions } from "./_resolve_options.ts";
import type { ServeOptions } from "./server_options.ts";

/** Options for {@linkcode Server.shutdown}. */
export interface ShutdownOptions {
  /**
   * Milliseconds to wait for close replies (and plain HTTP requests in flight) before the
   * remaining connections are aborted.
   *
   * @default {ServeOptions.shutdownTimeout} (5,000)
   */
  timeout?: number;
}

/** A running WebSocket server, as returned by {@linkcode serve}. */
export interface Server extends AsyncDisposable {
  /** The address the server listens on (the real port when `port: 0` was given). */
  readonly addr: Deno.NetAddr;
  /** The URL clients connect to, e.g. `ws://127.0.0.1:8080/` (`wss:` with TLS). */
  readonly url: string;
  /** The engine running the connections. */
  readonly engine: "streams" | "native";
  /** Live WebSocket connections. */
  readonly connections: number;
  /** `true` once `shutdown()` has begun: readiness probes should fail from then on. */
  readonly draining: boolean;
  /**
   * Graceful shutdown: stops accepting; lets every message already accepted by `send()` reach
   * the wire; sends 1001 Going Away to every connection; waits for the close replies up to
   * `timeout`; then aborts the rest. Calling it again returns the same promise.
   */
  shutdown(options?: ShutdownOptions): Promise<void>;
  /** Resolves once the server has shut down. */
  readonly finished: Promise<void>;
}

/**
 * Starts a WebSocket server; `handler` is called with every accepted connection. Plain HTTP
 * requests on the same port go to `options.fetch` through `Deno.serve`.
 *
 * Permissions: `--allow-net`; the `streams` engine serves plain HTTP through `Deno.serve` on a
 * private Unix socket in a temporary directory, which also needs `--allow-read --allow-write`
 * the first time a plain HTTP request arrives.
 *
 * @throws {TypeError | RangeError} for invalid options, before anything listens.
 *
 * @example An echo server on a free port
 * ```ts
 * import { serve } from "@aero/socket/server";
 * import assert from "node:assert/strict";
 *
 * await using server = serve({ hostname: "127.0.0.1", port: 0 }, async (conn) => {
 *   for await (const message of conn) conn.send(message.data);
 * });
 * const ws = new WebSocket(server.url);
 * await new Promise((resolve) => (ws.onopen = resolve));
 * ws.send("hello");
 * const reply = await new Promise((resolve) => (ws.onmessage = (event) => resolve(event.data)));
 * assert.equal(reply, "hello");
 * assert.equal(server.connections, 1);
 * const closed = new Promise<CloseEvent>((resolve) => (ws.onclose = resolve));
 * await server.shutdown();
 * assert.equal((await closed).code, 1001);
 * ```
 */
export function serve<Data = unknown>(
  options: ServeOptions<Data>,
  handler: (conn: WebSocketConnection<Data>) => void | Promise<void>,
): Server {
  if (typeof handler !== "function") throw new TypeError("Cannot serve: handler is not a function");
  const resolved = _resolveServeOptions(options);
  const { metrics } = resolved;
  const registry = new _Registry<Data>(
    resolved.maxConnections,
    metrics === undefined ? handler : (conn) => {
      metrics.trackConnection(resolved.engine, conn);
      return handler(conn);
    },
  );
  const engine = resolved.engine === "native"
    ? new _NativeEngine(resolved, registry)
    : new _StreamsEngine(resolved, registry);
  let finishedResolve!: () => void;
  const finished = new Promise<void>((resolve) => (finishedResolve = resolve));
  let shuttingDown: Promise<void> | undefined;
  const shutdown = (shutdownOptions: ShutdownOptions = {}): Promise<void> => {
    const timeout = shutdownOptions.timeout ?? resolved.shutdownTimeout;
    if (!Number.isSafeInteger(timeout) || timeout < 0) {
      throw new RangeError(`Cannot shut down: invalid timeout ${timeout}`);
    }
    shuttingDown ??= (async () => {
      resolved.signal?.removeEventListener("abort", onAbort);
      engine.stopAccepting();
      await registry.closeAll(timeout);
      await engine.finish(timeout);
      finishedResolve();
    })();
    return shuttingDown;
  };
  const onAbort = () => void shutdown();
  if (resolved.signal?.aborted) queueMicrotask(onAbort);
  else resolved.signal?.addEventListener("abort", onAbort, { once: true });
  const { addr } = engine;
  resolved.onListen?.(addr);
  return {
    addr,
    url: _url(addr, resolved.tls !== undefined),
    engine: resolved.engine,
    get connections() {
      return registry.size;
    },
    get draining() {
      return shuttingDown !== undefined;
    },
    shutdown,
    finished,
    [Symbol.asyncDispose]: () => shutdown(),
  };
}

function _url(addr: Deno.NetAddr, tls: boolean): string {
  let host = addr.hostname;
  if (host === "0.0.0.0" || host === "::") host = "localhost";
  else if (host.includes(":")) host = `[${host}]`;
  return `${tls ? "wss" : "ws"}://${host}:${addr.port}/`;
}
