import type { Health } from "./health.ts";
import { PROMETHEUS_CONTENT_TYPE } from "./prometheus.ts";

/** Options for {@linkcode createOpsHandler} and {@linkcode serveOps}. */
export interface OpsHandlerOptions {
  /** What `/metrics` renders (a `ServerMetrics`). @default {undefined} (`/metrics` answers 404) */
  metrics?: { render(): string };
  /** What `/healthz` and `/readyz` report. @default {new Health()} (always live and ready) */
  health?: Health;
  /**
   * Answers every other request, e.g. the application's own `fetch` handler.
   *
   * @default {undefined} (404)
   */
  fallback?: (request: Request) => Response | Promise<Response>;
}

/**
 * Builds an HTTP handler for operations endpoints, usable as a server's `fetch` option or on
 * its own port ({@linkcode serveOps}):
 *
 * - `GET /metrics`: the Prometheus text exposition;
 * - `GET /healthz`: `200 ok` while the process is live, else 503;
 * - `GET /readyz`: `200` when ready, `503` while a watched server drains or a readiness check
 *   fails, with a JSON report.
 *
 * @example
 * ```ts
 * import { createOpsHandler, Health, ServerMetrics } from "@aero/socket/observability";
 * import assert from "node:assert/strict";
 *
 * const health = new Health().addCheck("broker", () => false);
 * const handle = createOpsHandler({ metrics: new ServerMetrics(), health });
 * const metrics = await handle(new Request("http://localhost/metrics"));
 * assert.match(await metrics.text(), /^aero_connections_open\{engine="streams"\} 0$/m);
 * assert.equal((await handle(new Request("http://localhost/healthz"))).status, 200);
 * const ready = await handle(new Request("http://localhost/readyz"));
 * assert.equal(ready.status, 503);
 * assert.deepEqual(await ready.json(), { ready: false, draining: false, checks: { broker: false } });
 * assert.equal((await handle(new Request("http://localhost/other"))).status, 404);
 * ```
 */
export function createOpsHandler(
  options: OpsHandlerOptions = {},
): (request: Request) => Promise<Response> {
  const { metrics, health, fallback } = options;
  return async (request) => {
    const { pathname } = new URL(request.url);
    const known = pathname === "/healthz" || pathname === "/readyz" ||
      (pathname === "/metrics" && metrics !== undefined);
    if (!known) return fallback === undefined ? _text(404, "not found\n") : fallback(request);
    if (request.method !== "GET" && request.method !== "HEAD") {
      return _text(405, "method not allowed\n", { allow: "GET, HEAD" });
    }
    if (pathname === "/metrics") {
      return new Response(metrics!.render(), {
        headers: { "content-type": PROMETHEUS_CONTENT_TYPE, "cache-control": "no-store" },
      });
    }
    if (pathname === "/healthz") {
      const live = health?.live ?? true;
      return _text(live ? 200 : 503, live ? "ok\n" : "not live\n");
    }
    const report = health === undefined
      ? { ready: true, draining: false, checks: {} }
      : await health.readiness();
    return Response.json(report, {
      status: report.ready ? 200 : 503,
      headers: { "cache-control": "no-store" },
    });
  };
}

/** Options for {@linkcode serveOps}. */
export interface ServeOpsOptions extends OpsHandlerOptions {
  /** TCP port; `0` picks a free one. @default {9090} */
  port?: number;
  /** Address to listen on. @default {"127.0.0.1"} */
  hostname?: string;
  /** Stops the server when aborted. @default {undefined} */
  signal?: AbortSignal;
  /** Called once listening. @default {undefined} */
  onListen?: (addr: Deno.NetAddr) => void;
}

/**
 * Serves {@linkcode createOpsHandler} on its own port with `Deno.serve`, so probes and scrapes
 * keep working while the WebSocket port drains. Needs `--allow-net`.
 *
 * @example
 * ```ts
 * import { serveOps, ServerMetrics } from "@aero/socket/observability";
 * import assert from "node:assert/strict";
 *
 * await using ops = serveOps({ port: 0, metrics: new ServerMetrics() });
 * const response = await fetch(`http://127.0.0.1:${ops.addr.port}/healthz`);
 * assert.equal(await response.text(), "ok\n");
 * ```
 */
export function serveOps(options: ServeOpsOptions = {}): Deno.HttpServer<Deno.NetAddr> {
  const port = options.port ?? 9090;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`Cannot serve operations endpoints: invalid port ${port}`);
  }
  const onListen = options.onListen;
  return Deno.serve({
    port,
    hostname: options.hostname ?? "127.0.0.1",
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    onListen: (addr) => onListen?.(addr),
  }, createOpsHandler(options));
}

function _text(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
}
