/**
 * Observability for AeroSocket servers: hot-path counters kept as plain integers
 * ({@linkcode ServerMetrics}), a Prometheus text renderer and `/metrics`, `/healthz`, `/readyz`
 * handlers, OpenTelemetry observable instruments and spans (through `@opentelemetry/api`, a
 * no-op unless an SDK is installed), and W3C trace context inside `aero.v1` envelopes.
 * Log records go to LogTape categories under `["aero"]` and stay silent unless the application
 * configures LogTape.
 *
 * @example Serve metrics and health next to a WebSocket server
 * ```ts
 * import { serve } from "@aero/socket/server";
 * import { Health, serveOps, ServerMetrics } from "@aero/socket/observability";
 * import assert from "node:assert/strict";
 *
 * const metrics = new ServerMetrics();
 * const server = serve({ hostname: "127.0.0.1", port: 0, metrics }, () => {});
 * const health = new Health().watch(server);
 * await using ops = serveOps({ port: 0, metrics, health });
 * const base = `http://127.0.0.1:${ops.addr.port}`;
 * assert.equal((await fetch(`${base}/readyz`)).status, 200);
 * const stopping = server.shutdown();
 * const response = await fetch(`${base}/readyz`);
 * assert.equal(response.status, 503);
 * await response.body?.cancel();
 * await stopping;
 * ```
 *
 * @module
 */
export * from "./connection_metrics.ts";
export * from "./event_loop_monitor.ts";
export * from "./health.ts";
export * from "./meter_like.ts";
export * from "./observe_security.ts";
export * from "./open_telemetry.ts";
export * from "./ops_handler.ts";
export * from "./prometheus.ts";
export * from "./server_metrics.ts";
export * from "./server_metrics_recorder.ts";
export * from "./trace_context.ts";
export * from "./trace_rpc.ts";
export * from "./tracer_like.ts";
export * from "./tracer_name.ts";
