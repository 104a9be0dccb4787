import { metrics as metricsApi } from "@opentelemetry/api";
import type { BatchObservableResultLike, MeterLike, ObservableLike } from "./meter_like.ts";
import type { MetricFamily } from "./prometheus.ts";
import { TRACER_NAME } from "./tracer_name.ts";

/** Options for {@linkcode registerOpenTelemetryMetrics}. */
export interface OpenTelemetryMetricsOptions {
  /**
   * The meter, usually an OpenTelemetry `Meter`.
   * @default {metrics.getMeter("@aero/socket")} (global; no-op without an SDK)
   */
  meter?: MeterLike;
}

/**
 * Registers observable OpenTelemetry instruments that read a metrics source (a
 * `ServerMetrics`) at collection time: one batch callback, no call per message. Without an
 * installed SDK the global meter is a no-op; with `OTEL_DENO=true`, Deno's built-in
 * OpenTelemetry exports them.
 *
 * Names follow OpenTelemetry style: `aero_messages_total` becomes `aero.messages`,
 * `aero_message_bytes_total` becomes `aero.message.bytes` with unit `By`, gauges keep their name
 * (`aero.connections.open`); labels become attributes. A histogram `aero_x_seconds` is exported
 * as two counters, `aero.x.seconds.sum` and `aero.x.seconds.count` (observable instruments
 * cannot carry buckets; `/metrics` has them). Dispose the result to unregister.
 *
 * @example Read the counters through the OpenTelemetry SDK
 * ```ts
 * import { registerOpenTelemetryMetrics, ServerMetrics } from "@aero/socket/observability";
 * import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
 * import assert from "node:assert/strict";
 *
 * class Reader extends MetricReader {
 *   protected override onShutdown(): Promise<void> { return Promise.resolve(); }
 *   protected override onForceFlush(): Promise<void> { return Promise.resolve(); }
 * }
 * const reader = new Reader();
 * const provider = new MeterProvider({ readers: [reader] });
 * const metrics = new ServerMetrics();
 * using _registration = registerOpenTelemetryMetrics(metrics, { meter: provider.getMeter("test") });
 * metrics.messagesInText += 2;
 * const { resourceMetrics } = await reader.collect();
 * const all = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
 * const messages = all.find((metric) => metric.descriptor.name === "aero.messages")!;
 * const inText = messages.dataPoints.find((point) =>
 *   point.attributes.direction === "in" && point.attributes.type === "text"
 * );
 * assert.equal(inText?.value, 2);
 * ```
 */
export function registerOpenTelemetryMetrics(
  source: { collect(): MetricFamily[] },
  options: OpenTelemetryMetricsOptions = {},
): Disposable {
  const meter: MeterLike = options.meter ?? metricsApi.getMeter(TRACER_NAME);
  const instruments = new Map<string, ObservableLike>();
  for (const family of source.collect()) {
    const { name, unit } = otelName(family.name);
    const description = family.help;
    if (family.type === "histogram") {
      for (const suffix of ["sum", "count"] as const) {
        const counter = meter.createObservableCounter(`${name}.${suffix}`, {
          description: `${description} (${suffix})`,
          unit: suffix === "sum" ? unit : "1",
        });
        instruments.set(`${family.name}_${suffix}`, counter);
      }
    } else if (family.type === "counter") {
      instruments.set(family.name, meter.createObservableCounter(name, { description, unit }));
    } else {
      instruments.set(family.name, meter.createObservableGauge(name, { description, unit }));
    }
  }
  const callback = (result: BatchObservableResultLike) => {
    for (const family of source.collect()) {
      if (family.type === "histogram") {
        const sum = instruments.get(`${family.name}_sum`);
        const count = instruments.get(`${family.name}_count`);
        for (const sample of family.samples) {
          if (sum !== undefined) result.observe(sum, sample.sum, sample.labels);
          if (count !== undefined) result.observe(count, sample.count, sample.labels);
        }
        continue;
      }
      const instrument = instruments.get(family.name);
      if (instrument === undefined) continue;
      for (const sample of family.samples) result.observe(instrument, sample.value, sample.labels);
    }
  };
  const list = [...instruments.values()];
  meter.addBatchObservableCallback(callback, list);
  return {
    [Symbol.dispose]: () => meter.removeBatchObservableCallback(callback, list),
  };
}

/**
 * The OpenTelemetry name and unit for a Prometheus metric name: `_total` dropped, `_bytes`
 * and `_seconds` turned into units (`By`, `s`) and kept as the last name segment, `_` → `.`.
 *
 * @example
 * ```ts
 * import { otelName } from "@aero/socket/observability";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(otelName("aero_message_bytes_total"), { name: "aero.message.bytes", unit: "By" });
 * assert.deepEqual(otelName("aero_connections_open"), { name: "aero.connections.open", unit: "1" });
 * ```
 */
export function otelName(prometheusName: string): { name: string; unit: string } {
  const base = prometheusName.replace(/_total$/, "");
  const unit = base.endsWith("_bytes") ? "By" : base.endsWith("_seconds") ? "s" : "1";
  return { name: base.replaceAll("_", "."), unit };
}
