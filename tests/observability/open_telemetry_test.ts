import assert from "node:assert/strict";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { registerOpenTelemetryMetrics, ServerMetrics } from "../../src/observability/mod.ts";

class _Reader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

async function _points(reader: _Reader) {
  const { resourceMetrics } = await reader.collect();
  const points = new Map<string, number>();
  for (const metric of resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics)) {
    for (const point of metric.dataPoints) {
      const labels = Object.entries(point.attributes).map(([k, v]) => `${k}=${v}`).join(",");
      points.set(`${metric.descriptor.name}{${labels}}`, point.value as number);
    }
  }
  return points;
}

Deno.test("observable instruments read the integer counters at collection time", async () => {
  const reader = new _Reader();
  const provider = new MeterProvider({ readers: [reader] });
  const metrics = new ServerMetrics();
  const registration = registerOpenTelemetryMetrics(metrics, {
    meter: provider.getMeter("test"),
  });
  metrics.bytesOutBinary += 100;
  metrics.recordRpc("sum", 0.5);
  metrics.recordRpc("sum", 0.25);
  metrics.recordBan();
  let points = await _points(reader);
  assert.equal(points.get("aero.message.bytes{direction=out,type=binary}"), 100);
  assert.equal(points.get("aero.rpc.calls{method=sum}"), 2);
  assert.equal(points.get("aero.rpc.duration.seconds.sum{method=sum}"), 0.75);
  assert.equal(points.get("aero.rpc.duration.seconds.count{method=sum}"), 2);
  assert.equal(points.get("aero.bans{}"), 1);
  assert.equal(points.get("aero.connections.open{engine=streams}"), 0);
  metrics.bytesOutBinary += 1;
  points = await _points(reader);
  assert.equal(points.get("aero.message.bytes{direction=out,type=binary}"), 101);
  registration[Symbol.dispose]();
  await provider.shutdown();
});
